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

    @Test
    void aKeptPoolIsMadeOnceStartedWhenInactiveAndLeftAloneWhenActive() throws Exception {
        storage.ensurePool(poolXml("virtunit-images"));
        storage.createVolume("virtunit-images", volumeXml("image.qcow2"));
        storage.ensurePool(poolXml("virtunit-images"));
        assertThat(storage.volumeNames("virtunit-images")).containsExactly("image.qcow2");
        Boolean kept = calls.repeatable("read", c -> {
            org.libvirt.StoragePool pool = c.storagePoolLookupByName("virtunit-images");
            try {
                return pool.getAutostart() && pool.isPersistent() == 1 && pool.isActive() == 1;
            } finally {
                pool.free();
            }
        });
        assertThat(kept).as("persistent, active, autostarted").isTrue();

        calls.repeatable("stop", c -> {
            org.libvirt.StoragePool pool = c.storagePoolLookupByName("virtunit-images");
            try {
                pool.destroy();
            } finally {
                pool.free();
            }
            return null;
        });
        storage.ensurePool(poolXml("virtunit-images"));
        assertThat(storage.volumePath("virtunit-images", "image.qcow2")).isPresent();
        storage.removePool("virtunit-images");
    }

    @Test
    void aVolumesPathIsFoundAndAMissingOneIsEmpty() {
        storage.createPool(poolXml("vu-unit-pool"));
        storage.createVolume("vu-unit-pool", volumeXml("disk1.img"));

        assertThat(storage.volumePath("vu-unit-pool", "disk1.img")).hasValue("/virtunit-unit-test/vu-unit-pool/disk1.img");
        assertThat(storage.volumePath("vu-unit-pool", "disk9.img")).isEmpty();
        assertThat(storage.volumePath("vu-unit-no-pool", "disk1.img")).isEmpty();
        storage.removePool("vu-unit-pool");
    }

    @Test
    void anUploadTheDriverRefusesNamesTheFileVolumeAndPool(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("image"), "bytes");
        storage.createPool(poolXml("vu-unit-pool"));
        storage.createVolume("vu-unit-pool", volumeXml("disk1.img"));

        // The test driver has no volume upload; a real one is uploaded to in RemoteLabIT.
        assertThatThrownBy(() -> storage.uploadVolume("vu-unit-pool", "disk1.img", file))
                .isInstanceOf(LibvirtOperationException.class)
                .hasMessageStartingWith("cannot upload " + file + " into volume 'disk1.img' of pool 'vu-unit-pool': ")
                .hasMessageContaining("virStorageVolUpload");
        assertThatThrownBy(() -> storage.uploadVolume("vu-unit-pool", "disk1.img", dir.resolve("missing")))
                .hasMessageContaining("cannot upload " + dir.resolve("missing"));
        storage.removePool("vu-unit-pool");
    }
}
