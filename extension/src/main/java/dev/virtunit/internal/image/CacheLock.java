package dev.virtunit.internal.image;

import dev.virtunit.VirtunitException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One preparer at a time for one cache entry, across threads and JVMs. The file lock alone is not enough: a JVM
 * holds a file lock for the whole process, and a second {@link FileChannel#lock()} on the same file from another
 * thread throws instead of waiting. So threads queue on a lock of this JVM first, then the process on the file.
 * The operating system drops a file lock when its process dies, so a killed JVM never leaves the entry locked.
 */
final class CacheLock implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CacheLock.class);
    private static final ConcurrentHashMap<Path, ReentrantLock> IN_THIS_JVM = new ConcurrentHashMap<>();

    private final ReentrantLock threadLock;
    private final FileChannel channel;
    private final FileLock fileLock;

    private CacheLock(ReentrantLock threadLock, FileChannel channel, FileLock fileLock) {
        this.threadLock = threadLock;
        this.channel = channel;
        this.fileLock = fileLock;
    }

    /**
     * Waits until this thread alone, in this JVM and every other, holds {@code lockFile}; logs that it waits.
     *
     * @param what what the holder prepares, for the log
     */
    static CacheLock acquire(Path lockFile, String what) {
        ReentrantLock threadLock = IN_THIS_JVM.computeIfAbsent(lockFile.toAbsolutePath().normalize(), p -> new ReentrantLock());
        try {
            if (!threadLock.tryLock()) {
                LOG.info("waiting for another thread preparing {}", what);
                threadLock.lockInterruptibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VirtunitException("interrupted while waiting to prepare " + what, e);
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock fileLock = channel.tryLock();
            if (fileLock == null) {
                LOG.info("waiting for another process preparing {} (it holds {})", what, lockFile);
                fileLock = channel.lock();
            }
            return new CacheLock(threadLock, channel, fileLock);
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            threadLock.unlock();
            throw new VirtunitException("cannot lock " + lockFile + " to prepare " + what + ": " + e
                    + "; check that the cache folder is writable by this user", e);
        }
    }

    @Override
    public void close() {
        try {
            fileLock.release();
        } catch (IOException e) {
            // closing the channel below releases it as well
        } finally {
            closeQuietly(channel);
            threadLock.unlock();
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            // nothing was written to a lock file: nothing is lost
        }
    }
}
