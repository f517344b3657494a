package dev.sagebrush.protocol;

import java.util.function.Supplier;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.utils.builder.SdkBuilder;

/**
 * One row of the operation table: the operation's name (the part after {@code SageMaker.} in X-Amz-Target), how to
 * make a builder of its typed input, and the feature method that answers it. A handler returns the SDK response
 * object, or {@code null} for operations that answer with an empty body.
 *
 * <p>An operation may also have an {@code inMemory} handler: one that answers from memory without ever blocking, or
 * returns null when it cannot (then {@code handler} answers). The gateway runs it on the connection's I/O thread,
 * which saves handing a small request to a worker thread and back (a good part of a cheap call's CPU).
 */
public record Operation<I extends SdkPojo>(String name, Supplier<? extends SdkBuilder<?, I>> inputBuilder, Handler<I> handler,
                                           Handler<I> inMemory) {

    @FunctionalInterface
    public interface Handler<I> {
        SdkPojo handle(RequestContext context, I input);
    }

    public static <I extends SdkPojo> Operation<I> of(String name, Supplier<? extends SdkBuilder<?, I>> inputBuilder, Handler<I> handler) {
        return new Operation<>(name, inputBuilder, handler, null);
    }

    /** For operations without output: the handler's side effect is the answer, the body is empty. */
    public static <I extends SdkPojo> Operation<I> noOutput(String name, Supplier<? extends SdkBuilder<?, I>> inputBuilder,
                                                            java.util.function.BiConsumer<RequestContext, I> handler) {
        return new Operation<>(name, inputBuilder, (ctx, in) -> { handler.accept(ctx, in); return null; }, null);
    }

    /**
     * This operation, also answered by {@code answer} where it can: a handler that never blocks (no store, no file,
     * no lock held by anything that does) and returns null whenever it cannot answer from memory alone.
     */
    public Operation<I> inMemory(Handler<I> answer) {
        return new Operation<>(name, inputBuilder, handler, answer);
    }

    @SuppressWarnings("unchecked")
    SdkPojo invoke(RequestContext context, SdkPojo input) {
        return handler.handle(context, (I) input);
    }

    /** The in-memory answer, or null when there is none (the operation has no in-memory handler, or it declined). */
    @SuppressWarnings("unchecked")
    SdkPojo invokeInMemory(RequestContext context, SdkPojo input) {
        return inMemory == null ? null : inMemory.handle(context, (I) input);
    }
}
