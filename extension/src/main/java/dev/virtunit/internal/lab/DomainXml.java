package dev.virtunit.internal.lab;

import dev.virtunit.observe.DiskInfo;
import dev.virtunit.observe.InterfaceInfo;
import dev.virtunit.VirtunitException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Reads what {@code virsh domiflist} and {@code virsh domblklist} show out of a domain's XML. */
final class DomainXml {

    private DomainXml() {
    }

    static List<InterfaceInfo> interfaces(String xml) {
        List<InterfaceInfo> result = new ArrayList<>();
        NodeList nodes = parse(xml).getElementsByTagName("interface");
        for (int i = 0; i < nodes.getLength(); i++) {
            Element nic = (Element) nodes.item(i);
            if (!(nic.getParentNode() instanceof Element parent) || !parent.getTagName().equals("devices")) {
                continue;
            }
            String type = nic.getAttribute("type");
            Element source = child(nic, "source");
            String sourceName = source == null ? "" : firstNonEmpty(source.getAttribute("network"),
                    source.getAttribute("bridge"), source.getAttribute("dev"));
            result.add(new InterfaceInfo(attribute(nic, "target", "dev"), type, sourceName,
                    attribute(nic, "model", "type"), attribute(nic, "mac", "address").toLowerCase(Locale.ROOT)));
        }
        return result;
    }

    static List<DiskInfo> disks(String xml) {
        List<DiskInfo> result = new ArrayList<>();
        NodeList nodes = parse(xml).getElementsByTagName("disk");
        for (int i = 0; i < nodes.getLength(); i++) {
            Element disk = (Element) nodes.item(i);
            Element source = child(disk, "source");
            String file = source == null ? "" : firstNonEmpty(source.getAttribute("file"), source.getAttribute("dev"));
            result.add(new DiskInfo(attribute(disk, "target", "dev"), disk.getAttribute("device"), file,
                    attribute(disk, "driver", "type")));
        }
        return result;
    }

    private static String attribute(Element parent, String child, String attribute) {
        Element element = child(parent, child);
        return element == null ? "" : element.getAttribute(attribute);
    }

    private static Element child(Element parent, String tag) {
        NodeList children = parent.getChildNodes();
        for (int i = 0; i < children.getLength(); i++) {
            if (children.item(i) instanceof Element element && element.getTagName().equals(tag)) {
                return element;
            }
        }
        return null;
    }

    private static String firstNonEmpty(String... values) {
        for (String value : values) {
            if (!value.isEmpty()) {
                return value;
            }
        }
        return "";
    }

    private static Document parse(String xml) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            return factory.newDocumentBuilder().parse(new org.xml.sax.InputSource(new StringReader(xml)));
        } catch (Exception e) {
            throw new VirtunitException("cannot parse domain XML: " + e.getMessage(), e);
        }
    }
}
