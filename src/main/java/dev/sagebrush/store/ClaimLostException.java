package dev.sagebrush.store;

/**
 * A write carried a {@link Claim} that is no longer current: another owner claimed the resource (its epoch moved).
 * The work that wrote must stop; its result belongs to whoever holds the claim now.
 */
public final class ClaimLostException extends RuntimeException {
    private final transient Claim claim;

    public ClaimLostException(Claim claim) {
        super("The claim of " + claim.owner() + " on " + claim.key() + " (epoch " + claim.epoch() + ") was lost",
                null, false, false);
        this.claim = claim;
    }

    public Claim claim() {
        return claim;
    }
}
