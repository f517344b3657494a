package dev.sagebrush.auth;

/** One access key of one account, as read from the credentials file. */
public record Account(String accessKeyId, String secretAccessKey, String accountId) {
    public Account {
        if (!accountId.matches("\\d{12}")) {
            throw new IllegalArgumentException("account id must be 12 digits: " + accountId);
        }
    }
}
