package dev.sagebrush.fuzz;

import java.util.ArrayList;
import java.util.List;

/**
 * One hostile HTTP request: what to send, and the family it belongs to (for the report). {@code raw} requests go over
 * a plain socket, for what an HTTP client library refuses to send (framing lies, forbidden headers).
 */
record Spec(String family, String method, String pathAndQuery, List<String[]> headers, byte[] body, boolean raw) {
    static Spec of(String family, String method, String pathAndQuery, byte[] body) {
        return new Spec(family, method, pathAndQuery, new ArrayList<>(), body, false);
    }

    Spec header(String name, String value) {
        headers.add(new String[] {name, value});
        return this;
    }

    Spec asRaw() {
        return new Spec(family, method, pathAndQuery, headers, body, true);
    }
}
