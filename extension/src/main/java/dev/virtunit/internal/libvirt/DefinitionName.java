package dev.virtunit.internal.libvirt;

import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.ErrorHandler;
import org.xml.sax.InputSource;
import org.xml.sax.SAXParseException;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import java.io.StringReader;
import java.util.Optional;

/**
 * Reads the name a libvirt XML definition (domain, network, pool, volume) gives its object: the {@code <name>} child
 * of the root element. It names the object in error messages before libvirt knows it, and tells which object a
 * failed create must not undo because it was there before.
 */
final class DefinitionName {

    /** Without it the JDK's parser prints "[Fatal Error]" lines to stderr; the exception is enough. */
    private static final ErrorHandler SILENT_PARSE_ERRORS = new ErrorHandler() {
        @Override
        public void warning(SAXParseException e) {
        }

        @Override
        public void error(SAXParseException e) throws SAXParseException {
            throw e;
        }

        @Override
        public void fatalError(SAXParseException e) throws SAXParseException {
            throw e;
        }
    };

    private DefinitionName() {
    }

    /**
     * The stripped text of the root's own {@code <name>} child (in no namespace); empty when there is none, when it
     * is blank, or when the XML does not parse (libvirt will say what is wrong with it). Entities are not expanded
     * and a DOCTYPE is refused, so reading a definition never reaches outside it.
     */
    static Optional<String> in(String xml) {
        if (xml == null) {
            return Optional.empty();
        }
        try {
            Element root = parser().parse(new InputSource(new StringReader(xml))).getDocumentElement();
            for (Node child = root.getFirstChild(); child != null; child = child.getNextSibling()) {
                if (child.getNodeType() == Node.ELEMENT_NODE && "name".equals(child.getLocalName())
                        && child.getNamespaceURI() == null) {
                    String name = child.getTextContent().strip();
                    return name.isEmpty() ? Optional.empty() : Optional.of(name);
                }
            }
            return Optional.empty();
        } catch (Exception e) {
            // Malformed XML: libvirt will say what is wrong with it.
            return Optional.empty();
        }
    }

    /** {@code " 'name'"} for an error message, or nothing when the definition names nothing. */
    static String quotedIn(String xml) {
        return quoted(in(xml));
    }

    /** {@code " 'name'"}, or the empty string for no name. */
    static String quoted(Optional<String> name) {
        return name.map(n -> " '" + n + "'").orElse("");
    }

    private static DocumentBuilder parser() throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        factory.setExpandEntityReferences(false);
        factory.setNamespaceAware(true);
        DocumentBuilder builder = factory.newDocumentBuilder();
        builder.setErrorHandler(SILENT_PARSE_ERRORS);
        return builder;
    }
}
