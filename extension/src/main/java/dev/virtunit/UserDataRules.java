package dev.virtunit;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

import java.util.List;
import java.util.Map;

/**
 * The rules of a guest's own {@code #cloud-config} ({@link GuestSpecBuilder#userData(String)}), checked when the spec is
 * built: it is read with a YAML parser as cloud-init will read it, so a broken document is refused with the parser's
 * line and column instead of a guest that boots without its user-data.
 */
final class UserDataRules {

    private UserDataRules() {
    }

    static void check(String userData, String loginUser, List<String> problems) {
        if (userData.isBlank()) {
            return;
        }
        if (!userData.stripLeading().startsWith("#cloud-config")) {
            problems.add("userData must be cloud-config and start with '#cloud-config'");
        }
        Object document;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowDuplicateKeys(false);
            document = new Yaml(new SafeConstructor(options)).load(userData);
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String where = mark == null ? "" : " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1);
            problems.add("userData is not valid YAML" + where + ": " + (e.getProblem() != null ? e.getProblem()
                    : e.getMessage()) + "; fix it (cloud-init would ignore the whole user-data)");
            return;
        } catch (YAMLException e) {
            problems.add("userData is not valid YAML: " + e.getMessage() + "; fix it");
            return;
        }
        if (document == null) {
            return;
        }
        if (!(document instanceof Map<?, ?> keys)) {
            problems.add("userData must be a YAML mapping of cloud-config keys (such as 'runcmd:'), not a list or a "
                    + "single value");
            return;
        }
        keys.forEach((key, value) -> {
            if (GuestSpec.RESERVED_USER_DATA_KEYS.contains(String.valueOf(key))) {
                problems.add("userData sets '" + key + "', which virtunit writes itself to log in with keys it "
                        + "verifies; remove it from userData");
            } else if (GuestSpec.MERGED_USER_DATA_LISTS.contains(String.valueOf(key)) && !(value instanceof List<?>)) {
                problems.add("userData's '" + key + "' must be a list (write it as '" + key + ":' followed by '- ' "
                        + "items): virtunit adds it to its own list of the same key");
            }
        });
        if (keys.get("users") instanceof List<?> users && !"root".equals(loginUser)) {
            users.stream().filter(entry -> entry instanceof Map<?, ?> user && loginUser.equals(user.get("name")))
                    .findFirst().ifPresent(entry -> problems.add("userData's users entry '" + loginUser + "' is the "
                            + "guest's login user, which virtunit creates itself with the run's key and passwordless "
                            + "sudo; remove that entry, or log in as another user"));
        }
    }
}
