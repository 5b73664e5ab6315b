package dev.virtunit.internal.text;

import java.util.function.Supplier;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes the XML virtunit hands to libvirt (domains, networks, pools, volumes). Every attribute value and every
 * text is escaped here, so a path or a name with {@code &}, {@code <} or a quote can never change the document's
 * structure; callers build elements and never concatenate markup.
 * <pre>{@code
 * Xml.element("pool").attribute("type", "dir")
 *     .child(Xml.element("name").text(poolName))
 *     .render();
 * }</pre>
 *
 * @since 0.2
 */
public final class Xml {

    private Xml() {
    }

    /** A new element named {@code name}. */
    public static Element element(String name) {
        return new Element(name);
    }

    /** {@code value} safe as element text and as a single- or double-quoted attribute value. */
    public static String escape(String value) {
        StringBuilder escaped = new StringBuilder(value.length() + 16);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '&' -> escaped.append("&amp;");
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '"' -> escaped.append("&quot;");
                case '\'' -> escaped.append("&apos;");
                default -> {
                    if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') {
                        throw new IllegalArgumentException("character U+" + Integer.toHexString(c)
                                + " cannot appear in XML 1.0: in '" + value + "'");
                    }
                    escaped.append(c);
                }
            }
        }
        return escaped.toString();
    }

    /** One element: attributes in the order given, then either text or child elements. */
    public static final class Element {
        private final String name;
        private final Map<String, String> attributes = new LinkedHashMap<>();
        private final List<Element> children = new ArrayList<>();
        private String text;

        private Element(String name) {
            this.name = requireName(name);
        }

        public Element attribute(String attribute, String value) {
            attributes.put(requireName(attribute), Objects.requireNonNull(value, attribute));
            return this;
        }

        public Element attribute(String attribute, long value) {
            return attribute(attribute, Long.toString(value));
        }

        /** Sets the element's text; an element has text or children, not both. */
        public Element text(String value) {
            if (!children.isEmpty()) {
                throw new IllegalStateException("<" + name + "> has child elements; it cannot also have text");
            }
            this.text = Objects.requireNonNull(value, name);
            return this;
        }

        public Element text(long value) {
            return text(Long.toString(value));
        }

        public Element child(Element child) {
            if (text != null) {
                throw new IllegalStateException("<" + name + "> has text; it cannot also have child elements");
            }
            children.add(Objects.requireNonNull(child, "child"));
            return this;
        }

        /** Adds {@code child} only when {@code condition} holds, to keep builders linear. */
        public Element childIf(boolean condition, Supplier<Element> child) {
            return condition ? child(child.get()) : this;
        }

        public Element children(List<Element> more) {
            more.forEach(this::child);
            return this;
        }

        /** The element and everything below it, indented by two spaces a level, ending with a newline. */
        public String render() {
            StringBuilder out = new StringBuilder();
            render(out, 0);
            return out.toString();
        }

        @Override
        public String toString() {
            return render();
        }

        private void render(StringBuilder out, int depth) {
            out.append("  ".repeat(depth)).append('<').append(name);
            attributes.forEach((key, value) -> out.append(' ').append(key).append("='").append(escape(value)).append('\''));
            if (text == null && children.isEmpty()) {
                out.append("/>\n");
            } else if (text != null) {
                out.append('>').append(escape(text)).append("</").append(name).append(">\n");
            } else {
                out.append(">\n");
                children.forEach(child -> child.render(out, depth + 1));
                out.append("  ".repeat(depth)).append("</").append(name).append(">\n");
            }
        }

        private static String requireName(String name) {
            if (name == null || !name.matches("[A-Za-z_][A-Za-z0-9_.:-]*")) {
                throw new IllegalArgumentException("'" + name + "' is not an XML name");
            }
            return name;
        }
    }
}
