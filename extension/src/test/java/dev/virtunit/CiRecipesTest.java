package dev.virtunit;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The CI recipes users copy (ci-recipes/) stay true: both parse as YAML, they run the command our own CI runs
 * (.ci/run), every script they call exists and accepts the options they pass (asked with {@code --help}), and the
 * files their cache keys hash exist, so a renamed script or option breaks this test instead of a user's pipeline.
 */
class CiRecipesTest {

    private static final Path REPO = Path.of("").toAbsolutePath().getParent();
    private static final Path GITHUB = REPO.resolve("ci-recipes/github/virtunit.yml");
    private static final Path GITLAB = REPO.resolve("ci-recipes/gitlab/.gitlab-ci.yml");
    private static final Pattern SCRIPT_CALL = Pattern.compile("(scripts/[A-Za-z0-9_-]+)([^;&|\\n]*)");
    private static final Pattern OPTION = Pattern.compile("(?<=\\s|^)--[a-z][a-z-]*");

    @Test
    void bothRecipesRunWhatOurOwnCiRuns() throws IOException {
        Matcher exec = Pattern.compile("^exec (scripts/[A-Za-z0-9_-]+)", Pattern.MULTILINE)
                .matcher(Files.readString(REPO.resolve(".ci/run")));
        assertThat(exec.find()).as(".ci/run execs one of our scripts").isTrue();
        for (Path recipe : List.of(GITHUB, GITLAB)) {
            assertThat(commands(recipe)).as("commands of %s", recipe)
                    .anyMatch(command -> command.contains(exec.group(1)));
        }
    }

    @Test
    void everyScriptCalledExistsAndAcceptsItsOptions() throws Exception {
        int calls = 0;
        for (Path recipe : List.of(GITHUB, GITLAB)) {
            for (String command : commands(recipe)) {
                Matcher call = SCRIPT_CALL.matcher(command);
                while (call.find()) {
                    calls++;
                    Path script = REPO.resolve(call.group(1));
                    assertThat(script).as("%s calls %s", recipe, call.group(1)).isRegularFile().isExecutable();
                    String help = help(script);
                    Matcher option = OPTION.matcher(call.group(2));
                    while (option.find()) {
                        assertThat(help).as("%s --help, for %s in %s", script, option.group(), recipe)
                                .contains(option.group());
                    }
                }
            }
        }
        assertThat(calls).as("script calls found in the recipes").isGreaterThanOrEqualTo(2);
    }

    @Test
    void cacheKeysHashFilesThatExist() throws IOException {
        Matcher hashFiles = Pattern.compile("hashFiles\\(([^)]*)\\)").matcher(Files.readString(GITHUB));
        assertThat(hashFiles.find()).as("the GitHub recipe keys its image cache on hashFiles(...)").isTrue();
        List<String> hashed = new ArrayList<>();
        Matcher quoted = Pattern.compile("'([^']+)'").matcher(hashFiles.group(1));
        while (quoted.find()) {
            hashed.add(quoted.group(1));
        }
        List<Map<String, Object>> gitlabCaches = list(job(GITLAB).get("cache"));
        for (Map<String, Object> cache : gitlabCaches) {
            if (cache.get("key") instanceof Map<?, ?> key && key.get("files") instanceof List<?> files) {
                files.forEach(file -> hashed.add(file.toString()));
            }
        }
        assertThat(hashed).contains("scripts/build-test-image", "scripts/build-cloud-image");
        for (String pattern : hashed) {
            assertThat(REPO.resolve(pattern.replaceAll("/\\*\\*$", ""))).as("cache key input %s", pattern).exists();
        }
    }

    /** Every shell line of a recipe: GitHub's {@code run} steps, GitLab's {@code script}s. */
    private static List<String> commands(Path recipe) throws IOException {
        List<String> commands = new ArrayList<>();
        collect(load(recipe), commands);
        assertThat(commands).as("shell commands in %s", recipe).isNotEmpty();
        return commands;
    }

    private static void collect(Object node, List<String> commands) {
        if (node instanceof Map<?, ?> map) {
            map.forEach((key, value) -> {
                if (key.equals("run") && value instanceof String text) {
                    commands.add(text);
                } else if (key.toString().matches("(before_|after_)?script") && value instanceof List<?> lines) {
                    lines.forEach(line -> commands.add(line.toString()));
                } else {
                    collect(value, commands);
                }
            });
        } else if (node instanceof List<?> list) {
            list.forEach(item -> collect(item, commands));
        }
    }

    private static Map<String, Object> load(Path recipe) throws IOException {
        Object document = new Yaml().load(Files.readString(recipe));
        assertThat(document).as("%s is a YAML mapping", recipe).isInstanceOf(Map.class);
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) document;
        return map;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> job(Path recipe) throws IOException {
        return (Map<String, Object>) load(recipe).get("virtunit");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object node) {
        assertThat(node).isInstanceOf(List.class);
        return (List<Map<String, Object>>) node;
    }

    private static String help(Path script) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(script.toString(), "--help").redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("%s --help: %s", script, output).isZero();
        return output;
    }
}
