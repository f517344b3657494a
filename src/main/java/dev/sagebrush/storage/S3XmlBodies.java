package dev.sagebrush.storage;

import io.undertow.server.HttpServerExchange;
import java.io.ByteArrayInputStream;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Checks S3's small XML control bodies before s3proxy sees them: PutBucketAcl / PutObjectAcl (PUT ?acl),
 * DeleteObjects (POST ?delete) and CompleteMultipartUpload (POST ?uploadId). S3 never uses a DTD, so one is refused
 * outright (no entity expansion, no external entities); malformed XML is S3's 400 MalformedXML (s3proxy answered
 * some with a 500); and an ACL may only be private (FULL_CONTROL for its owner): a grant to a group (AllUsers,
 * AuthenticatedUsers) or an e-mail address is S3's Block-Public-Access answer, 403 AccessDenied; a grant to anyone
 * else (there are no other canonical users here) is S3's answer for an unknown grantee, 400 InvalidArgument
 * "Invalid id"; a lesser permission for the owner is an InvalidArgument too (s3proxy answered 501).
 */
final class S3XmlBodies {
    /** CompleteMultipartUpload lists up to 10,000 parts of ~100 bytes; DeleteObjects up to 1,000 keys. */
    static final int MAX_BYTES = 2 * 1024 * 1024;
    private static final String MALFORMED =
            "The XML you provided was not well-formed or did not validate against our published schema";

    private S3XmlBodies() {}

    static boolean isControlRequest(HttpServerExchange exchange) {
        Map<String, ?> q = exchange.getQueryParameters();
        String method = exchange.getRequestMethod().toString();
        return ("PUT".equals(method) && q.containsKey("acl"))
                || ("POST".equals(method) && (q.containsKey("delete") || q.containsKey("uploadId")));
    }

    static S3RequestRules.Refusal check(HttpServerExchange exchange, byte[] body) {
        boolean acl = exchange.getQueryParameters().containsKey("acl");
        if (body.length == 0) {
            // Put*Acl with a canned ACL header has no body; the others need one.
            return acl ? null : new S3RequestRules.Refusal(400, "MalformedXML", MALFORMED);
        }
        Document doc;
        try {
            doc = builder().parse(new ByteArrayInputStream(body));
        } catch (Exception e) {
            return new S3RequestRules.Refusal(400, "MalformedXML", MALFORMED);
        }
        return acl ? checkGrants(doc) : null;
    }

    private static S3RequestRules.Refusal checkGrants(Document doc) {
        String owner = text(doc.getDocumentElement(), "Owner", "ID");
        NodeList grants = doc.getElementsByTagNameNS("*", "Grant");
        for (int i = 0; i < grants.getLength(); i++) {
            Element g = (Element) grants.item(i);
            if (text(g, "Grantee", "URI") != null || text(g, "Grantee", "EmailAddress") != null) {
                return new S3RequestRules.Refusal(403, "AccessDenied", "Access Denied");
            }
            String id = text(g, "Grantee", "ID");
            if (id == null || !id.equals(owner)) {
                return new S3RequestRules.Refusal(400, "InvalidArgument", "Invalid id: the embedded S3 has no users "
                        + "besides the bucket owner, so an ACL may grant only to its owner");
            }
            if (!"FULL_CONTROL".equals(text(g, "Permission"))) {
                return new S3RequestRules.Refusal(400, "InvalidArgument", "The embedded S3 keeps every bucket and "
                        + "object private: an ACL may only grant FULL_CONTROL to its owner");
            }
        }
        return null;
    }

    /** The text of the first descendant reached by the local-name path, or null. */
    private static String text(Element from, String... path) {
        Element e = from;
        for (String name : path) {
            NodeList children = e.getElementsByTagNameNS("*", name);
            if (children.getLength() == 0) return null;
            e = (Element) children.item(0);
        }
        return e.getTextContent().trim();
    }

    private static DocumentBuilder builder() throws ParserConfigurationException {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        f.setXIncludeAware(false);
        f.setExpandEntityReferences(false);
        DocumentBuilder b = f.newDocumentBuilder();
        b.setErrorHandler(new org.xml.sax.helpers.DefaultHandler()); // errors throw, nothing printed
        return b;
    }
}
