package dev.virtunit.internal.net;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The value of an nftables named counter, read from {@code nft list counter FAMILY TABLE NAME}, whose text is
 * <pre>
 * table ip vu_1a2b3c {
 *         counter translated {
 *                 packets 3 bytes 252
 *         }
 * }
 * </pre>
 * Text rather than {@code nft -j}: the extension has no JSON library, and this line's shape has been stable
 * since nftables 0.9.
 *
 * @param name    the counter's name
 * @param packets packets counted
 * @param bytes   bytes counted
 * @since 0.1
 */
public record NftCounter(String name, long packets, long bytes) {

    private static final Pattern VALUES = Pattern.compile("\\bpackets\\s+(\\d+)\\s+bytes\\s+(\\d+)");

    /**
     * Reads counter {@code name} from {@code nft list counter} output.
     *
     * @throws IllegalArgumentException quoting the output when it holds no such counter or no values
     */
    public static NftCounter parse(String name, String nftOutput) {
        Matcher header = Pattern.compile("\\bcounter\\s+\"?" + Pattern.quote(name) + "\"?\\s*\\{").matcher(nftOutput);
        if (!header.find()) {
            throw new IllegalArgumentException("no counter '" + name + "' in nft output: " + nftOutput.strip());
        }
        Matcher values = VALUES.matcher(nftOutput);
        if (!values.find(header.end())) {
            throw new IllegalArgumentException("counter '" + name + "' has no 'packets N bytes N' in nft output: "
                    + nftOutput.strip());
        }
        return new NftCounter(name, Long.parseLong(values.group(1)), Long.parseLong(values.group(2)));
    }
}
