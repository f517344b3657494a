package dev.sagebrush.protocol;

import java.util.function.Supplier;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.utils.builder.SdkBuilder;

/**
 * One row of the operation table: the operation's name (the part after {@code SageMaker.} in X-Amz-Target), how to
 * make a builder of its typed input, and the feature method that answers it. A handler returns the SDK response
 * object, or {@code null} for operations that answer with an empty body.
 */
public record Operation<I extends SdkPojo>(String name, Supplier<? extends SdkBuilder<?, I>> inputBuilder, Handler<I> handler) {

    @FunctionalInterface
    public interface Handler<I> {
        SdkPojo handle(RequestContext context, I input);
    }

    public static <I extends SdkPojo> Operation<I> of(String name, Supplier<? extends SdkBuilder<?, I>> inputBuilder, Handler<I> handler) {
        return new Operation<>(name, inputBuilder, handler);
    }

    /** For operations without output: the handler's side effect is the answer, the body is empty. */
    public static <I extends SdkPojo> Operation<I> noOutput(String name, Supplier<? extends SdkBuilder<?, I>> inputBuilder,
                                                            java.util.function.BiConsumer<RequestContext, I> handler) {
        return new Operation<>(name, inputBuilder, (ctx, in) -> { handler.accept(ctx, in); return null; });
    }

    @SuppressWarnings("unchecked")
    SdkPojo invoke(RequestContext context, SdkPojo input) {
        return handler.handle(context, (I) input);
    }
}
