package dev.sagebrush.auth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The access keys this server accepts. The file format is one key per line, whitespace separated:
 * {@code <access-key-id> <secret-access-key> <12-digit-account-id>}; {@code #} starts a comment. Several keys may
 * belong to one account; each account sees only its own resources.
 */
public final class Credentials {
    /** The embedded default, usable only while the server is bound to loopback (see {@link #isDefault()}). */
    public static final Account DEFAULT = new Account("test", "test", "000000000000");

    private final Map<String, Account> byAccessKey;
    private final List<String> accountIds;
    private final boolean isDefault;

    private Credentials(List<Account> accounts, Map<String, Account> byAccessKey, boolean isDefault) {
        this.byAccessKey = Map.copyOf(byAccessKey);
        this.accountIds = accounts.stream().map(Account::accountId).distinct().toList();
        this.isDefault = isDefault;
    }

    public static Credentials defaults() {
        return new Credentials(List.of(DEFAULT), Map.of(DEFAULT.accessKeyId(), DEFAULT), true);
    }

    public static Credentials of(List<Account> accounts) {
        Map<String, Account> m = new LinkedHashMap<>();
        for (Account a : accounts) {
            if (m.put(a.accessKeyId(), a) != null) {
                throw new IllegalArgumentException("access key listed twice: " + a.accessKeyId());
            }
        }
        Account test = m.get(DEFAULT.accessKeyId());
        return new Credentials(accounts, m, test != null && DEFAULT.secretAccessKey().equals(test.secretAccessKey()));
    }

    public static Credentials load(Path file) throws IOException {
        List<Account> accounts = new java.util.ArrayList<>();
        int lineNo = 0;
        for (String line : Files.readAllLines(file)) {
            lineNo++;
            String t = line.strip();
            int hash = t.indexOf('#');
            if (hash >= 0) t = t.substring(0, hash).strip();
            if (t.isEmpty()) continue;
            String[] parts = t.split("\\s+");
            if (parts.length != 3) {
                throw new IOException(file + ":" + lineNo + ": expected '<access-key-id> <secret-access-key> <account-id>'");
            }
            try {
                accounts.add(new Account(parts[0], parts[1], parts[2]));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ":" + lineNo + ": " + e.getMessage());
            }
        }
        if (accounts.isEmpty()) {
            throw new IOException(file + ": no credentials");
        }
        return of(accounts);
    }

    public Optional<Account> find(String accessKeyId) {
        return Optional.ofNullable(byAccessKey.get(accessKeyId));
    }

    /** Every account with a key, in the order of their first key: the first is the operator's (see the README). */
    public List<String> accountIds() {
        return accountIds;
    }

    public Map<String, String> secretsByAccessKey() {
        Map<String, String> m = new LinkedHashMap<>();
        byAccessKey.forEach((k, a) -> m.put(k, a.secretAccessKey()));
        return m;
    }

    /** True when the well-known test/test key is accepted, from the defaults or a file: refused off loopback. */
    public boolean isDefault() {
        return isDefault;
    }
}
