package dev.virtunit.internal.net;

import java.util.regex.Pattern;

/**
 * Checks the names handed to {@code ip}, {@code ovs-vsctl} and {@code nft} before they reach them. The kernel's
 * own message for a bad name is often just "Invalid argument" with no name in it; failing here names the value
 * and the rule it broke. The allowed characters are narrower than what the kernel accepts on purpose: letters,
 * digits, {@code _ . -} never need quoting in any of the three tools and cannot be mistaken for an option.
 *
 * @since 0.1
 */
public final class NetworkNames {

    /** Linux's IFNAMSIZ is 16 including the terminating NUL. */
    public static final int MAX_INTERFACE_NAME = 15;

    /** Namespace names become file names under /run/netns; this keeps them short enough to read in a listing. */
    public static final int MAX_NAMESPACE_NAME = 64;

    /** nftables identifiers are limited to NFT_NAME_MAXLEN - 1 = 255; far shorter ones are kinder to listings. */
    public static final int MAX_TABLE_NAME = 64;

    private static final Pattern INTERFACE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");
    private static final Pattern TABLE = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");

    private NetworkNames() {
    }

    /**
     * Returns {@code name} when it is a valid interface (link, bridge, veth end) name.
     *
     * @throws IllegalArgumentException naming the value: empty, longer than 15 characters, or with a character
     *                                  other than letters, digits, {@code _ . -} (or starting with one of the latter)
     */
    public static String interfaceName(String name) {
        return checked("interface", name, MAX_INTERFACE_NAME, INTERFACE,
                "Linux allows at most " + MAX_INTERFACE_NAME + " characters");
    }

    /** Like {@link #interfaceName}, for a network namespace name. */
    public static String namespaceName(String name) {
        return checked("network namespace", name, MAX_NAMESPACE_NAME, INTERFACE,
                "virtunit allows at most " + MAX_NAMESPACE_NAME + " characters");
    }

    /**
     * Returns {@code name} when it is a valid name of a virtunit nftables table: an identifier starting with
     * {@code vu}, so that {@code scripts/check-leftovers} recognises it as ours.
     */
    public static String tableName(String name) {
        checked("nftables table", name, MAX_TABLE_NAME, TABLE, "at most " + MAX_TABLE_NAME + " characters");
        if (!name.startsWith("vu")) {
            throw new IllegalArgumentException("nftables table name '" + name + "' must start with 'vu' (like vu_1a2b3c) "
                    + "so that scripts/check-leftovers recognises it as virtunit's");
        }
        return name;
    }

    private static String checked(String kind, String name, int maxLength, Pattern pattern, String lengthRule) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException(kind + " name is " + (name == null ? "null" : "empty"));
        }
        if (name.length() > maxLength) {
            throw new IllegalArgumentException(kind + " name '" + name + "' has " + name.length()
                    + " characters; " + lengthRule);
        }
        if (!pattern.matcher(name).matches()) {
            throw new IllegalArgumentException(kind + " name '" + name + "' may only contain letters, digits"
                    + (pattern == TABLE ? " and '_', starting with a letter" : ", '_', '.' and '-', starting with a letter or digit"));
        }
        return name;
    }
}
