package dev.sagebrush.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sagebrush.protocol.AwsService;
import dev.sagebrush.protocol.RequestContext;
import java.util.Set;

/**
 * STS on the same endpoint, for the one call clients make to learn who they are: {@code GetCallerIdentity}. The
 * SageMaker Python SDK calls it for {@code Session().default_bucket()} ({@code sagemaker-<region>-<account>}) and
 * {@code get_execution_role()}. A Sagebrush access key belongs to an account, not to an IAM user or role, so the
 * caller is that account's root principal, as AWS reports root credentials: UserId is the account id and the ARN is
 * {@code arn:aws:iam::<account>:root}.
 */
public final class SecurityTokenService implements AwsService {
    public static final String XML_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";

    @Override
    public String signingName() {
        return "sts";
    }

    @Override
    public Set<String> operations() {
        return Set.of("GetCallerIdentity");
    }

    @Override
    public ObjectNode call(String operation, RequestContext ctx, JsonNode input) {
        return JsonNodeFactory.instance.objectNode()
                .put("UserId", ctx.accountId())
                .put("Account", ctx.accountId())
                .put("Arn", "arn:aws:iam::" + ctx.accountId() + ":root");
    }
}
