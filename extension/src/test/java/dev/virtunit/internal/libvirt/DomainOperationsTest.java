package dev.virtunit.internal.libvirt;

import dev.virtunit.observe.GuestState;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DomainOperationsTest extends OnTestDriver {

    @Test
    void aDomainGoesThroughItsWholeLifecycle() {
        domains.define(domainXml("vu-unit-web"));
        assertThat(domains.exists("vu-unit-web")).isTrue();
        assertThat(domains.names()).contains("test", "vu-unit-web");
        assertThat(observations.state("vu-unit-web")).isEqualTo(GuestState.SHUT_OFF);

        domains.start("vu-unit-web");
        assertThat(observations.state("vu-unit-web")).isEqualTo(GuestState.RUNNING);

        domains.suspend("vu-unit-web");
        assertThat(observations.state("vu-unit-web")).isEqualTo(GuestState.PAUSED);

        domains.resume("vu-unit-web");
        assertThat(observations.state("vu-unit-web")).isEqualTo(GuestState.RUNNING);

        domains.reboot("vu-unit-web");
        assertThat(observations.state("vu-unit-web")).isEqualTo(GuestState.RUNNING);

        // The test driver powers off at once; a real guest would take its time.
        domains.shutdown("vu-unit-web");
        assertThat(observations.state("vu-unit-web")).isEqualTo(GuestState.SHUT_OFF);

        domains.start("vu-unit-web");
        domains.destroy("vu-unit-web");
        assertThat(observations.state("vu-unit-web")).isEqualTo(GuestState.SHUT_OFF);

        domains.undefine("vu-unit-web");
        assertThat(observations.state("vu-unit-web")).isEqualTo(GuestState.UNDEFINED);
        assertThat(domains.exists("vu-unit-web")).isFalse();
        assertThat(domains.names()).doesNotContain("vu-unit-web");
    }

    @Test
    void removingWhatIsNotThereIsNotAnError() {
        domains.define(domainXml("vu-unit-idle"));

        assertThatCode(() -> {
            domains.destroy("vu-unit-idle"); // defined, not running
            domains.undefine("vu-unit-idle");
            domains.undefine("vu-unit-idle");
            domains.destroy("vu-unit-idle"); // not even defined
            domains.destroy("vu-unit-never-was");
            domains.undefine("vu-unit-never-was");
        }).doesNotThrowAnyException();
        assertThat(domains.exists("vu-unit-idle")).isFalse();
    }

    @Test
    void undefiningARunningDomainLeavesItRunningUntilDestroyed() {
        domains.define(domainXml("vu-unit-live"));
        domains.start("vu-unit-live");

        domains.undefine("vu-unit-live");
        assertThat(observations.info("vu-unit-live").persistent()).isFalse();
        assertThat(observations.state("vu-unit-live")).isEqualTo(GuestState.RUNNING);

        domains.destroy("vu-unit-live");
        assertThat(observations.state("vu-unit-live")).isEqualTo(GuestState.UNDEFINED);
        assertThatCode(() -> domains.undefine("vu-unit-live")).doesNotThrowAnyException();
    }

    @Test
    void theXmlIsTheLiveOneWhileRunning() {
        domains.define(domainXml("vu-unit-xml"));
        assertThat(domains.xml("vu-unit-xml")).contains("<name>vu-unit-xml</name>").doesNotContain("id='");

        domains.start("vu-unit-xml");

        assertThat(domains.xml("vu-unit-xml")).containsPattern("<domain type='test' id='\\d+'>");
    }

    @Test
    void metadataIsReadByNamespace() {
        domains.define(domainXml("vu-unit-meta"));

        // libvirt hands the element back without its namespace.
        assertThat(domains.metadata("vu-unit-meta", RUN_NS)).hasValue("<run session=\"s-1\"/>");
        assertThat(domains.metadata("vu-unit-meta", "https://example.org/other")).isEmpty();
        assertThat(domains.metadata("test", RUN_NS)).isEmpty();
    }

    @Test
    void aDomainWithoutMemoryIsRefusedWithLibvirtsReasonAndCode() {
        String xml = "<domain type='test'><name>vu-unit-bad</name><os><type>hvm</type></os></domain>";

        assertThatThrownBy(() -> domains.define(xml))
                .hasMessage("cannot define domain 'vu-unit-bad': XML error: Memory size must be specified "
                        + "via <memory> or in the <numa> configuration")
                .satisfies(thrown -> {
                    assertThat(failure(thrown).errorName()).isEqualTo("VIR_ERR_XML_ERROR");
                    assertThat(failure(thrown).errorCode()).isEqualTo(27);
                });
        assertThat(domains.exists("vu-unit-bad")).isFalse();
    }

    @Test
    void malformedXmlIsRefusedWithLibvirtsParserMessage() {
        assertThatThrownBy(() -> domains.define("<domain type='test'><name>vu-unit-cut</name>"))
                .hasMessageStartingWith("cannot define domain: (domain_definition):")
                .hasMessageContaining("Premature end of data")
                .satisfies(thrown -> assertThat(failure(thrown).errorName()).isEqualTo("VIR_ERR_XML_DETAIL"));
    }

    @Test
    void operatingOnAMissingDomainNamesItAndTheOperation() {
        assertThatThrownBy(() -> domains.start("vu-unit-missing"))
                .hasMessage("cannot start domain 'vu-unit-missing': Domain not found")
                .satisfies(thrown -> {
                    assertThat(failure(thrown).errorName()).isEqualTo("VIR_ERR_NO_DOMAIN");
                    assertThat(failure(thrown).errorCode()).isEqualTo(42);
                });
    }

    @Test
    void stateChangesThatDoNotApplyAreRefused() {
        domains.define(domainXml("vu-unit-stopped"));

        // The test driver's wording and code; qemu says "Requested operation is not valid: domain is not running".
        assertThatThrownBy(() -> domains.suspend("vu-unit-stopped"))
                .hasMessage("cannot suspend domain 'vu-unit-stopped': internal error: domain 'vu-unit-stopped' "
                        + "not running")
                .satisfies(thrown -> {
                    assertThat(failure(thrown).errorName()).isEqualTo("VIR_ERR_INTERNAL_ERROR");
                    assertThat(failure(thrown).errorCode()).isEqualTo(1);
                });
    }
}
