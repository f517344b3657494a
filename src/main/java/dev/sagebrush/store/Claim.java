package dev.sagebrush.store;

import java.time.Instant;

/**
 * The right of one owner (a node) to work on one resource until {@code until}, fenced by {@code epoch}: the store
 * raises the epoch every time the resource is claimed, so once another owner (or this node after a restart) has
 * claimed it, every write that still carries this claim is refused ({@link ClaimLostException}). A node that stalled
 * past its lease can therefore never overwrite the work of the node that took over.
 */
public record Claim(ResourceKey key, String owner, long epoch, Instant until) {}
