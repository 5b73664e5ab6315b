package dev.virtunit.internal.libvirt;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StorageOperationsTest extends OnTestDriver {

    /** The test driver's built-in pool has a fixed UUID. */
    private static final String DEFAULT_POOL_UUID = "dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566";

    @Test
    void aPoolHoldsVolumesAndIsRemovedWithThem() {
        storage.createPool(poolXml("vu-unit-pool"));
        assertThat(storage.poolNames()).contains("default-pool", "vu-unit-pool");

        String path = storage.createVolume("vu-unit-pool", volumeXml("disk1.img"));
        assertThat(path).isEqualTo("/virtunit-unit-test/vu-unit-pool/disk1.img");
        storage.createVolume("vu-unit-pool", volumeXml("disk2.img"));
        storage.refreshPool("vu-unit-pool");
        assertThat(storage.volumeNames("vu-unit-pool")).containsExactlyInAnyOrder("disk1.img", "disk2.img");

        storage.deleteVolume("vu-unit-pool", "disk1.img");
        storage.deleteVolume("vu-unit-pool", "disk1.img");
        assertThat(storage.volumeNames("vu-unit-pool")).containsExactly("disk2.img");

        storage.removePool("vu-unit-pool");
        assertThat(storage.poolNames()).doesNotContain("vu-unit-pool");
        assertThatCode(() -> {
            storage.removePool("vu-unit-pool");
            storage.deleteVolume("vu-unit-pool", "disk2.img");
        }).doesNotThrowAnyException();
    }

    @Test
    void aFailedCreateLeavesAPoolThatWasThereBeforeAlone() {
        String existing = """
                <pool type='dir'><name>default-pool</name><uuid>%s</uuid>
                <target><path>/default-pool</path></target></pool>
                """.formatted(DEFAULT_POOL_UUID);

        assertThatThrownBy(() -> storage.createPool(existing))
                .hasMessageStartingWith("cannot create pool 'default-pool': ")
                .isInstanceOf(LibvirtOperationException.class);
        assertThat(storage.poolNames()).contains("default-pool");
    }

    @Test
    void aVolumeInAMissingPoolIsReportedWithThePool() {
        assertThatThrownBy(() -> storage.createVolume("vu-unit-no-pool", volumeXml("disk.img")))
                .hasMessage("cannot create volume 'disk.img' in pool 'vu-unit-no-pool': Storage pool not found: "
                        + "no storage pool with matching name 'vu-unit-no-pool'")
                .satisfies(thrown -> assertThat(failure(thrown).errorName()).isEqualTo("VIR_ERR_NO_STORAGE_POOL"));
    }
}
