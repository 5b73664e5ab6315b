package dev.virtunit.junit;

import java.util.function.Function;
import dev.virtunit.Acceleration;
import dev.virtunit.Bridge;
import dev.virtunit.Guest;
import dev.virtunit.GuestSpec;
import dev.virtunit.GuestSpecBuilder;
import dev.virtunit.ImageLocation;
import dev.virtunit.InvalidDeclarationException;
import dev.virtunit.Segment;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Translates one {@link LibvirtGuest} (on a field or parameter, directly or through a composed annotation) into a
 * {@link GuestSpec}, checking the declaration itself first. Everything fails here, before anything is created.
 */
final class GuestDeclaration {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]+)}");

    private GuestDeclaration() {
    }

    /** Checks a field's declaration: type {@link Guest}, not final, static or not as {@code wantStatic}. */
    static void checkField(Field field) {
        String where = describe(field);
        String declaration = (Modifier.isStatic(field.getModifiers()) ? "static " : "") + "Guest " + field.getName() + ";";
        if (!Guest.class.equals(field.getType())) {
            throw new InvalidDeclarationException(where + " has type " + field.getType().getName() + "; it must be "
                    + Guest.class.getName() + ". Declare it as `" + declaration + "`");
        }
        if (Modifier.isFinal(field.getModifiers())) {
            throw new InvalidDeclarationException(where + " must not be final; declare it as `" + declaration + "`");
        }
    }

    static void checkParameter(Parameter parameter, String where) {
        if (!Guest.class.equals(parameter.getType())) {
            throw new InvalidDeclarationException(where + " has type " + parameter.getType().getName()
                    + "; it must be " + Guest.class.getName());
        }
    }

    static String describe(Field field) {
        return "@LibvirtGuest field [" + field.getDeclaringClass().getName() + "." + field.getName() + "]";
    }

    static GuestSpec toSpec(LibvirtGuest annotation, String where, Class<?> testClass) {
        return toSpec(annotation, where, testClass, name -> null);
    }

    /** {@code bridges} finds the bridge a {@code network} attribute names, or null. */
    static GuestSpec toSpec(LibvirtGuest annotation, String where, Class<?> testClass,
                            Function<String, Segment> bridges) {
        GuestSpecBuilder spec = GuestSpec.builder().origin(where)
                .memoryMiB(annotation.memoryMiB())
                .vcpus(annotation.vcpus())
                .graphics(annotation.graphics())
                .user(annotation.user())
                .awaitSsh(annotation.awaitSsh())
                .dhcp(annotation.dhcp());
        String image = expand(annotation.image(), where, "image");
        String liveCd = expand(annotation.liveCd(), where, "liveCd");
        String cdrom = expand(annotation.cdrom(), where, "cdrom");
        // Which boot source the attributes mean is the annotation's business; whether they fit together is the spec's.
        List<String> problems = new ArrayList<>();
        String imageDigest = expand(annotation.imageDigest(), where, "imageDigest");
        if (!image.isEmpty()) {
            spec.image(imageLocation(image, imageDigest, problems));
            if (!cdrom.isEmpty()) {
                spec.cdrom(Path.of(cdrom));
            }
            if (annotation.installDiskMiB() > 0) {
                problems.add("installDiskMiB is for installing from a CD-ROM; a guest that imports an image boots from "
                        + "that image. Drop installDiskMiB, or drop the image");
            }
        } else if (!imageDigest.isEmpty()) {
            problems.add("imageDigest needs an image URL (image = \"https://...\"); drop imageDigest or give the image");
        } else if (!cdrom.isEmpty() && liveCd.isEmpty()) {
            if (annotation.installDiskMiB() <= 0) {
                problems.add("cdrom without image needs installDiskMiB (install onto a new disk, e.g. installDiskMiB = "
                        + "8192), or use liveCd to boot the ISO with no disk");
            }
            spec.installFromCdrom(Path.of(cdrom), annotation.installDiskMiB());
        } else if (!cdrom.isEmpty()) {
            spec.cdrom(Path.of(cdrom));
        }
        if (!liveCd.isEmpty()) {
            spec.liveCd(Path.of(liveCd));
        }
        if (!annotation.name().isEmpty()) {
            spec.name(annotation.name());
        }
        for (long size : annotation.blankDisksMiB()) {
            spec.blankDisk(size);
        }
        if (!annotation.acceleration().isEmpty()) {
            spec.acceleration(acceleration(annotation.acceleration(), where));
        }
        if (!annotation.address().isEmpty() && annotation.network().isEmpty()) {
            spec.address(annotation.address());
        }
        if (!annotation.gateway().isEmpty()) {
            spec.gateway(annotation.gateway());
        }
        if (!annotation.userData().isEmpty() && !annotation.userDataResource().isEmpty()) {
            problems.add("give userData or userDataResource, not both");
        }
        if (!annotation.userData().isEmpty()) {
            spec.userData(annotation.userData());
        } else if (!annotation.userDataResource().isEmpty()) {
            spec.userData(resource(annotation.userDataResource(), testClass, where));
        }
        if (!annotation.network().isEmpty() && annotation.nics().length > 0) {
            problems.add("give network or nics, not both");
        }
        if (!annotation.network().isEmpty()) {
            spec.nic(bridge(annotation.network(), bridges, where), annotation.address().isEmpty() ? null : annotation.address(),
                    annotation.vlan());
        } else {
            for (Nic nic : annotation.nics()) {
                spec.nic(bridge(nic.network(), bridges, where), nic.address().isEmpty() ? null : nic.address(), nic.vlan(),
                        nic.mac().isEmpty() ? null : nic.mac());
            }
        }
        if (annotation.vlan() != 0 && annotation.network().isEmpty()) {
            problems.add("vlan " + annotation.vlan() + " needs network (an @OvsBridge field); for several NICs give "
                    + "each @Nic its vlan");
        }
        if (annotation.bootTimeoutSeconds() < 0) {
            problems.add("bootTimeoutSeconds " + annotation.bootTimeoutSeconds() + " must be positive, or 0 for the "
                    + "configured virtunit.boot.timeout");
        }
        if (annotation.bootTimeoutSeconds() > 0) {
            spec.bootTimeout(Duration.ofSeconds(annotation.bootTimeoutSeconds()));
        }
        imageWithoutSeed(annotation, where, spec);
        String host = expand(annotation.host(), where, "host");
        if (!host.isEmpty()) {
            spec.host(host);
        }
        return DeclarationProblems.build(where, problems, spec::build);
    }

    /** {@code image} as written, with {@code digest} if given; a digest for anything but a URL is a problem. */
    private static ImageLocation imageLocation(String image, String digest, List<String> problems) {
        ImageLocation location = ImageLocation.parse(image);
        if (digest.isEmpty()) {
            return location;
        }
        if (location instanceof ImageLocation.Url url) {
            return url.withDigest(digest);
        }
        problems.add("imageDigest is for an image URL (http:// or https://); '" + image + "' is used as it is: drop "
                + "imageDigest");
        return location;
    }

    /** seed, password, identityFile, hostKey, readyWhen: empty attributes are left out; the spec checks the rest. */
    private static void imageWithoutSeed(LibvirtGuest annotation, String where, GuestSpecBuilder spec) {
        spec.seed(annotation.seed());
        String password = expand(annotation.password(), where, "password");
        if (!password.isEmpty()) {
            spec.password(password);
        }
        String identityFile = expand(annotation.identityFile(), where, "identityFile");
        if (!identityFile.isEmpty()) {
            spec.identityFile(Path.of(identityFile));
        }
        String hostKey = expand(annotation.hostKey(), where, "hostKey");
        if (!hostKey.isEmpty()) {
            spec.hostKey(hostKey);
        }
        if (!annotation.readyWhen().isEmpty()) {
            spec.readyWhen(annotation.readyWhen());
        }
    }

    private static Segment bridge(String field, Function<String, Segment> bridges, String where) {
        Segment bridge = bridges.apply(field);
        if (bridge == null) {
            throw new InvalidDeclarationException(where + " is invalid: network '" + field + "' names no @OvsBridge, "
                    + "@LinuxBridge or @LibvirtNetwork static field of the test class; declare one, e.g. "
                    + "`@OvsBridge static Bridge " + field + ";`");
        }
        return bridge;
    }

    private static Acceleration acceleration(String value, String where) {
        try {
            return Acceleration.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidDeclarationException(where + " is invalid: acceleration '" + value
                    + "' is not one of auto, kvm, tcg");
        }
    }

    /** Replaces {@code ${name}} with the system property or environment variable {@code name}. */
    static String expand(String value, String where, String attribute) {
        Matcher matcher = PLACEHOLDER.matcher(value);
        StringBuilder expanded = new StringBuilder();
        while (matcher.find()) {
            String name = matcher.group(1);
            String replacement = System.getProperty(name, System.getenv(name));
            if (replacement == null) {
                throw new InvalidDeclarationException(where + " is invalid: " + attribute + " '" + value + "' uses ${"
                        + name + "}, but there is no system property or environment variable " + name + "; set it "
                        + "(e.g. -D" + name + "=...) or write the path out");
            }
            matcher.appendReplacement(expanded, Matcher.quoteReplacement(replacement));
        }
        matcher.appendTail(expanded);
        return expanded.toString();
    }

    private static String resource(String name, Class<?> testClass, String where) {
        String path = name.startsWith("/") ? name.substring(1) : name;
        try (InputStream in = testClass.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new InvalidDeclarationException(where + " is invalid: userDataResource '" + name
                        + "' is not on the classpath; put it under src/test/resources/" + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
