package dev.virtunit.junit;

import java.lang.reflect.Parameter;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import dev.virtunit.Bridge;
import dev.virtunit.BridgeSpec;
import dev.virtunit.GuestSpec;
import dev.virtunit.HostUnavailableException;
import dev.virtunit.InvalidDeclarationException;
import dev.virtunit.Lab;
import dev.virtunit.LabConfig;
import dev.virtunit.Network;
import dev.virtunit.Segment;
import dev.virtunit.Upstream;
import dev.virtunit.VirtunitException;

import dev.virtunit.internal.lab.LabGuest;
import dev.virtunit.internal.lab.LabSession;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;
import org.junit.platform.commons.support.ModifierSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The JUnit adapter: static {@link LibvirtGuest} fields in {@code beforeAll}, instance fields in {@code beforeEach}
 * (of every instance, so {@code @Nested} classes work), parameters through {@link ParameterResolver}; one code path
 * for all three. Each guest is kept in the store of the context it lives for, as an {@link AutoCloseable}, so JUnit
 * closes it when that context ends, newest first. One {@link Lab} serves the whole run, from the root store.
 */
class LibvirtExtension implements ExecutionCondition, BeforeAllCallback, BeforeEachCallback, ParameterResolver,
        BeforeTestExecutionCallback, AfterTestExecutionCallback {

    private static final Logger LOG = LoggerFactory.getLogger(LibvirtExtension.class);
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(LibvirtExtension.class);

    /** How the lab is started; the extension's own tests start one on fakes. */
    static volatile Function<LabConfig, LabSession> labStarter = LabSession::start;

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        // The first thing of ours in every context's store, so JUnit closes it after that context's guests.
        FailureScope.of(context);
        LabHolder holder = labHolder(context);
        if (holder.invalidConfiguration != null) {
            // Fails in beforeAll with our own exception, rather than as JUnit's "failed to evaluate condition".
            return ConditionEvaluationResult.enabled("virtunit: configuration invalid, reported by the test class");
        }
        if (holder.unavailable != null && !holder.config.failWhenUnavailable()) {
            return ConditionEvaluationResult.disabled("virtunit: this host cannot run guests: "
                    + holder.unavailable.getMessage() + " (set virtunit.unavailable=fail to fail instead of skipping)");
        }
        return ConditionEvaluationResult.enabled("virtunit: libvirt is reachable");
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        Class<?> testClass = context.getRequiredTestClass();
        injectNetworks(context, testClass);
        injectFields(context, null, testClass, ModifierSupport::isStatic);
    }

    /**
     * Upstream hosts first, then bridges (whose NAT may point at an upstream), each in the class's store so they go
     * after the guests that use them. Both live for the class: they must be static.
     */
    private void injectNetworks(ExtensionContext context, Class<?> testClass) {
        List<Field> upstreamFields = AnnotationSupport.findAnnotatedFields(testClass, UpstreamHost.class, f -> true,
                HierarchyTraversalMode.TOP_DOWN);
        List<Field> bridgeFields = new ArrayList<>(AnnotationSupport.findAnnotatedFields(testClass, OvsBridge.class,
                f -> true, HierarchyTraversalMode.TOP_DOWN));
        bridgeFields.addAll(AnnotationSupport.findAnnotatedFields(testClass, LinuxBridge.class, f -> true,
                HierarchyTraversalMode.TOP_DOWN));
        List<Field> networkFields = AnnotationSupport.findAnnotatedFields(testClass, LibvirtNetwork.class, f -> true,
                HierarchyTraversalMode.TOP_DOWN);
        if (upstreamFields.isEmpty() && bridgeFields.isEmpty() && networkFields.isEmpty()) {
            return;
        }
        networkFields.forEach(NetworkDeclaration::checkNetworkField);
        upstreamFields.forEach(field -> NetworkDeclaration.checkField(field, Upstream.class, "@UpstreamHost"));
        List<BridgeSpec> bridgeSpecs = new ArrayList<>();
        for (Field field : bridgeFields) {
            NetworkDeclaration.checkField(field, Bridge.class, NetworkDeclaration.annotationName(field));
            bridgeSpecs.add(NetworkDeclaration.toSpec(field, upstreamFields));
        }
        LabSession lab = lab(context);
        Map<String, Upstream> upstreams = new HashMap<>();
        for (Field field : upstreamFields) {
            Upstream upstream = lab.upstream();
            keepOrRemove(context, lab, upstream, () -> lab.remove(upstream), () -> lab.keep(upstream));
            upstreams.put(field.getName(), upstream);
            set(field, null, upstream);
        }
        Map<String, Segment> bridges = topology(context);
        for (int i = 0; i < bridgeFields.size(); i++) {
            BridgeSpec spec = bridgeSpecs.get(i);
            String uplink = spec.natUplink().map(name -> upstreams.containsKey(name) ? upstreams.get(name).uplinkInterface() : name)
                    .orElse(null);
            Bridge bridge = lab.bridge(uplink == null ? spec : spec.withNat(uplink));
            keepOrRemove(context, lab, bridge, () -> lab.remove(bridge), () -> lab.keep(bridge));
            bridges.put(bridgeFields.get(i).getName(), bridge);
            set(bridgeFields.get(i), null, bridge);
        }
        for (Field field : networkFields) {
            LibvirtNetwork declared = field.getAnnotation(LibvirtNetwork.class);
            String uplink = declared.uplink().isEmpty() ? null
                    : upstreams.containsKey(declared.uplink()) ? upstreams.get(declared.uplink()).uplinkInterface() : declared.uplink();
            Network network = lab.network(NetworkDeclaration.toNetworkSpec(field, declared, uplink));
            keepOrRemove(context, lab, network, () -> lab.remove(network), () -> lab.keep(network));
            bridges.put(field.getName(), network);
            set(field, null, network);
        }
    }

    /**
     * Puts {@code handle} in the context's store: JUnit closes it when the context ends, and it is then removed, or
     * kept (with never, or after a failure under the context with on-success) and its "how to reach it" logged.
     */
    private static void keepOrRemove(ExtensionContext context, LabSession lab, Object handle, Runnable remove,
                                     Supplier<String> keep) {
        FailureScope scope = FailureScope.of(context);
        FailureReports.used(context, handle);
        context.getStore(NAMESPACE).put(handle, (AutoCloseable) () -> {
            if (scope.keeps(lab.config().cleanup())) {
                scope.kept(lab, keep.get());
            } else {
                remove.run();
            }
        });
    }

    /** The bridges of this class and, for {@code @Nested} classes, of the enclosing ones, by field name. */
    @SuppressWarnings("unchecked")
    private static Map<String, Segment> topology(ExtensionContext context) {
        ExtensionContext.Store store = context.getStore(NAMESPACE);
        Map<String, Segment> own = store.get("bridges", Map.class);
        if (own == null) {
            own = new ConcurrentHashMap<>();
            store.put("bridges", own);
        }
        return own;
    }

    private static Segment findBridge(ExtensionContext context, String name) {
        for (Optional<ExtensionContext> c = Optional.of(context); c.isPresent(); c = c.get().getParent()) {
            @SuppressWarnings("unchecked")
            Map<String, Segment> bridges = c.get().getStore(NAMESPACE).get("bridges", Map.class);
            if (bridges != null && bridges.containsKey(name)) {
                return bridges.get(name);
            }
        }
        return null;
    }

    private static void set(Field field, Object instance, Object value) {
        try {
            field.setAccessible(true);
            field.set(instance, value);
        } catch (IllegalAccessException e) {
            throw new ExtensionConfigurationException("cannot set field " + field, e);
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        for (Object instance : context.getRequiredTestInstances().getAllInstances()) {
            injectFields(context, instance, instance.getClass(), ModifierSupport::isNotStatic);
        }
    }

    @Override
    public void beforeTestExecution(ExtensionContext context) {
        FailureReports.testStarts(context);
    }

    /** Before any teardown: the failing test's guests and its class's bridges are all still there to look at. */
    @Override
    public void afterTestExecution(ExtensionContext context) {
        LabHolder holder = labHolder(context);
        FailureReports.testEnded(context, Optional.ofNullable(holder.lab));
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.isAnnotated(LibvirtGuest.class);
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext context) {
        String where = "@LibvirtGuest parameter [" + parameterContext.getParameter().getName() + "] of "
                + parameterContext.getDeclaringExecutable();
        GuestDeclaration.checkParameter(parameterContext.getParameter(), where);
        LibvirtGuest annotation = parameterContext.findAnnotation(LibvirtGuest.class).orElseThrow();
        GuestSpec spec = GuestDeclaration.toSpec(annotation, where, context.getRequiredTestClass(),
                name -> findBridge(context, name));
        try {
            // Without javac -parameters the name is arg0; the method's name labels the guest better then.
            Parameter parameter = parameterContext.getParameter();
            String label = parameter.isNamePresent() ? parameter.getName()
                    : parameterContext.getDeclaringExecutable().getName() + "-" + parameterContext.getIndex();
            return provision(context, List.of(new Request(spec, label))).get(0);
        } catch (VirtunitException e) {
            throw new ParameterResolutionException(e.getMessage(), e);
        }
    }

    /** Validates every annotated field first, then boots all their guests together, then injects them. */
    private void injectFields(ExtensionContext context, Object instance, Class<?> type, Predicate<Field> which) {
        List<Field> fields = AnnotationSupport.findAnnotatedFields(type, LibvirtGuest.class, which,
                HierarchyTraversalMode.TOP_DOWN);
        if (fields.isEmpty()) {
            return;
        }
        List<Request> requests = new ArrayList<>();
        for (Field field : fields) {
            GuestDeclaration.checkField(field);
            LibvirtGuest annotation = AnnotationSupport.findAnnotation(field, LibvirtGuest.class).orElseThrow();
            requests.add(new Request(GuestDeclaration.toSpec(annotation, GuestDeclaration.describe(field), type,
                    name -> findBridge(context, name)), field.getName()));
        }
        List<LabGuest> guests = provision(context, requests);
        for (int i = 0; i < fields.size(); i++) {
            Field field = fields.get(i);
            try {
                field.setAccessible(true);
                field.set(instance, guests.get(i));
            } catch (IllegalAccessException e) {
                throw new ExtensionConfigurationException("cannot set " + GuestDeclaration.describe(field), e);
            }
        }
    }

    private record Request(GuestSpec spec, String label) {
    }

    /**
     * Defines and starts every guest first, so they boot side by side, then waits for each. Each is in the store
     * before it is started, so a failure in any of them still tears all of them down.
     */
    private List<LabGuest> provision(ExtensionContext context, List<Request> requests) {
        LabSession lab = lab(context);
        List<LabGuest> guests = new CopyOnWriteArrayList<>();
        // One entry for all of them, so that they are removed together (their domains destroyed at once), or kept.
        FailureScope scope = FailureScope.of(context);
        context.getStore(NAMESPACE).put(new Object(), (AutoCloseable) () -> {
            if (!scope.keeps(lab.config().cleanup())) {
                lab.remove(guests);
                return;
            }
            for (LabGuest guest : guests) {
                guest.keep();
                scope.kept(lab, guest.howToReach());
            }
        });
        for (Request request : requests) {
            LabGuest guest = lab.create(request.spec(), request.label());
            FailureReports.used(context, guest);
            guests.add(guest);
        }
        for (LabGuest guest : guests) {
            guest.awaitReady();
        }
        return guests;
    }

    private static LabSession lab(ExtensionContext context) {
        LabHolder holder = labHolder(context);
        if (holder.invalidConfiguration != null) {
            throw holder.invalidConfiguration;
        }
        if (holder.unavailable != null) {
            throw holder.unavailable;
        }
        return holder.lab;
    }

    /**
     * The run's one lab, in the root store so the root context closes it when the whole run ends. The store's
     * compute methods changed between JUnit 5 and 6, so this uses get and put under a lock, which both have.
     */
    private static LabHolder labHolder(ExtensionContext context) {
        ExtensionContext.Store root = context.getRoot().getStore(NAMESPACE);
        synchronized (LibvirtExtension.class) {
            LabHolder holder = root.get(LabHolder.class, LabHolder.class);
            if (holder == null) {
                try {
                    holder = LabHolder.start(LabConfig.resolve(context::getConfigurationParameter));
                } catch (InvalidDeclarationException e) {
                    holder = new LabHolder(null, null, null, e);
                }
                root.put(LabHolder.class, holder);
            }
            return holder;
        }
    }

    /** The lab, or why the host cannot run guests. JUnit closes it at the end of the run. */
    private static final class LabHolder implements AutoCloseable {
        private final LabConfig config;
        private final LabSession lab;
        private final HostUnavailableException unavailable;
        private final InvalidDeclarationException invalidConfiguration;

        private LabHolder(LabConfig config, LabSession lab, HostUnavailableException unavailable,
                          InvalidDeclarationException invalidConfiguration) {
            this.config = config;
            this.lab = lab;
            this.unavailable = unavailable;
            this.invalidConfiguration = invalidConfiguration;
        }

        static LabHolder start(LabConfig config) {
            try {
                return new LabHolder(config, labStarter.apply(config), null, null);
            } catch (HostUnavailableException e) {
                LOG.warn("virtunit: {}", e.getMessage());
                return new LabHolder(config, null, e, null);
            }
        }

        @Override
        public void close() {
            if (lab != null) {
                lab.close(true);
            }
        }
    }

    /**
     * The run's one lab, started if no extension has started it yet: for a condition that must ask the lab's host
     * ({@code @EnabledIfKvm} on a remote libvirt URI). Throws what a lab that cannot start threw.
     */
    static LabSession runLab(ExtensionContext context) {
        return lab(context);
    }
}
