package dev.virtunit.internal.cloudinit;

import dev.virtunit.GuestSpec;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.representer.Representer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code #cloud-config} document as a map, read from and written as YAML, and the merge of a test's own
 * cloud-config into virtunit's.
 *
 * <p>Both directions go through a YAML library, never through text: a test's keys are merged by key, so a key both
 * documents set appears once. Lists both set ({@link GuestSpec#MERGED_USER_DATA_LISTS}) are concatenated, ours first; for any
 * other key the test's value wins (virtunit's own login keys are refused before this, in the spec's rules).
 */
public final class CloudConfig {

    /** The header cloud-init needs on the first line to read user-data as cloud-config. */
    public static final String HEADER = "#cloud-config";

    private CloudConfig() {
    }

    /**
     * Parses a test's cloud-config: a YAML mapping (an empty document is an empty one), loaded safely (no tags
     * that make objects), duplicate keys refused.
     *
     * @throws IllegalArgumentException naming the line and column (1-based) where the YAML is broken, or saying
     *                                  that the document is no mapping
     */
    public static Map<String, Object> parse(String cloudConfig) {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        Object document;
        try {
            document = new Yaml(new SafeConstructor(options)).load(cloudConfig);
        } catch (MarkedYAMLException e) {
            var mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String where = mark == null ? "" : " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
            String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
            String context = e.getContext() != null ? " (" + e.getContext() + ")" : "";
            throw new IllegalArgumentException("is not valid YAML" + where + ": " + problem + context, e);
        } catch (YAMLException e) {
            throw new IllegalArgumentException("is not valid YAML: " + e.getMessage(), e);
        }
        if (document == null) {
            return new LinkedHashMap<>();
        }
        if (!(document instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("is not a YAML mapping of cloud-config keys (such as 'runcmd:') but "
                    + (document instanceof List<?> ? "a list" : "a single value"));
        }
        Map<String, Object> keyed = new LinkedHashMap<>();
        map.forEach((key, value) -> keyed.put(String.valueOf(key), value));
        return keyed;
    }

    /**
     * {@code ours} with {@code theirs} merged in: lists of {@link GuestSpec#MERGED_USER_DATA_LISTS} concatenated (ours first),
     * every other key of theirs added or, where ours has it too, replacing ours. Neither argument is changed.
     */
    public static Map<String, Object> merge(Map<String, Object> ours, Map<String, Object> theirs) {
        Map<String, Object> merged = new LinkedHashMap<>(ours);
        theirs.forEach((key, value) -> {
            if (GuestSpec.MERGED_USER_DATA_LISTS.contains(key) && merged.get(key) instanceof List<?> mine && value instanceof List<?> added) {
                List<Object> both = new ArrayList<>(mine);
                both.addAll(added);
                merged.put(key, both);
            } else {
                merged.put(key, value);
            }
        });
        return merged;
    }

    /** The document as user-data: the header, then block-style YAML (sequences indented under their key). */
    public static String write(Map<String, Object> document) {
        return HEADER + "\n" + yaml(document);
    }

    /**
     * Block-style YAML with sequences indented two spaces under their key, multi-line text as literal blocks, and
     * scalars quoted only where YAML 1.1 (PyYAML's, cloud-init's) would read them as something else than text.
     */
    static String yaml(Object document) {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        options.setIndicatorIndent(2);
        options.setIndentWithIndicator(true);
        options.setWidth(Integer.MAX_VALUE); // a long key line stays one line
        options.setSplitLines(false);
        // A value used twice is written twice, not as an anchor and alias: the tiny image's reader has no aliases.
        options.setDereferenceAliases(true);
        return new Yaml(new Representer(options), options).dump(document);
    }
}
