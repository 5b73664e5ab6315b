package dev.virtunit.internal.libvirt;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class DefinitionNameTest {

    @Test
    void theNameIsTheRootsOwnNameChild() {
        assertThat(DefinitionName.in("<pool type='logical'><source><name>vg0</name></source>"
                + "<name>vu-pool</name></pool>")).hasValue("vu-pool");
        assertThat(DefinitionName.in(OnTestDriver.domainXml(" vu-unit-spaced "))).hasValue("vu-unit-spaced");
    }

    @Test
    void aNameInAnotherNamespaceIsNotTheObjectsName() {
        assertThat(DefinitionName.in("<domain xmlns:x='urn:x'><x:name>other</x:name><name>vu-dom</name></domain>"))
                .hasValue("vu-dom");
        assertThat(DefinitionName.in("<domain xmlns:x='urn:x'><x:name>other</x:name></domain>")).isEmpty();
    }

    @Test
    void escapedCharactersAndCdataAreRead() {
        assertThat(DefinitionName.in("<network><name>a&amp;b</name></network>")).hasValue("a&b");
        assertThat(DefinitionName.in("<network><name><![CDATA[x<y]]></name></network>")).hasValue("x<y");
    }

    @Test
    void noNameWhenTheXmlHasNoneOrIsBroken() {
        assertThat(DefinitionName.in("<volume><capacity>1</capacity></volume>")).isEmpty();
        assertThat(DefinitionName.in("<volume><name>  </name></volume>")).isEmpty();
        assertThat(DefinitionName.in("<domain><name>cut")).isEmpty();
        assertThat(DefinitionName.in("")).isEmpty();
        assertThat(DefinitionName.in(null)).isEmpty();
    }

    @Test
    void aDoctypeIsRefusedSoEntitiesNeverExpand() {
        assertThat(DefinitionName.in("<!DOCTYPE d [<!ENTITY x 'y'>]><d><name>&x;</name></d>")).isEmpty();
        assertThat(DefinitionName.in("<!DOCTYPE d SYSTEM 'file:///etc/hostname'><d><name>n</name></d>")).isEmpty();
    }

    @Test
    void theQuotedNameIsReadyForAnErrorMessage() {
        assertThat(DefinitionName.quotedIn("<volume><name>disk.img</name></volume>")).isEqualTo(" 'disk.img'");
        assertThat(DefinitionName.quotedIn("<volume/>")).isEmpty();
        assertThat(DefinitionName.quoted(Optional.empty())).isEmpty();
    }
}
