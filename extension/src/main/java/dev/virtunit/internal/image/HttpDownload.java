package dev.virtunit.internal.image;

import dev.virtunit.VirtunitException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Downloads one URL into a file with {@link HttpClient}, computing its sha256 on the way and logging progress. Three
 * timeouts, so a dead or stuck server fails the guest instead of hanging the test run: connecting, the response's
 * headers, and a body that stops flowing. Anything but HTTP 200 is an error naming the URL and the status.
 */
final class HttpDownload {

    private static final Logger LOG = LoggerFactory.getLogger(HttpDownload.class);
    private static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(5);

    /**
     * What arrived.
     *
     * @param bytes  its size
     * @param sha256 its digest, {@code sha256:<hex>}
     */
    record Result(long bytes, String sha256) {
    }

    private final Duration connectTimeout;
    private final Duration responseTimeout;
    private final Duration stallTimeout;

    /**
     * @param connectTimeout  how long a connection may take
     * @param responseTimeout how long the server may take to send the response's headers
     * @param stallTimeout    how long the body may send nothing before the download is given up
     */
    HttpDownload(Duration connectTimeout, Duration responseTimeout, Duration stallTimeout) {
        this.connectTimeout = connectTimeout;
        this.responseTimeout = responseTimeout;
        this.stallTimeout = stallTimeout;
    }

    /** Timeouts for real servers: a minute to connect or answer, two without data. */
    static HttpDownload withDefaultTimeouts() {
        return new HttpDownload(Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(120));
    }

    /** Downloads {@code url} into {@code target} (replaced), synced to disk. */
    Result fetch(URI url, Path target) {
        // A client per download: most guests boot from local files, and a client holds a selector thread.
        HttpClient client = HttpClient.newBuilder().connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        HttpRequest request = HttpRequest.newBuilder(url).timeout(responseTimeout).GET().build();
        FileSink sink = new FileSink(target, url);
        CompletableFuture<HttpResponse<Void>> response = client.sendAsync(request, info -> info.statusCode() == 200
                ? HttpResponse.BodySubscribers.fromSubscriber(sink.sized(info.headers().firstValueAsLong("content-length")), s -> null)
                : HttpResponse.BodySubscribers.discarding());
        try {
            while (true) {
                try {
                    int status = response.get(1, TimeUnit.SECONDS).statusCode();
                    if (status != 200) {
                        throw new VirtunitException("cannot download image " + url + ": the server answered HTTP " + status
                                + (status == 404 ? " (not found)" : "") + "; check the URL");
                    }
                    return sink.result();
                } catch (TimeoutException stillRunning) {
                    if (sink.failed()) {
                        // The file could not be written: the body was cancelled and its response never completes.
                        response.cancel(true);
                        return sink.result();
                    }
                    if (sink.stalledNanos() > stallTimeout.toNanos()) {
                        response.cancel(true);
                        throw new VirtunitException("cannot download image " + url + ": the server sent nothing for "
                                + stallTimeout.toSeconds() + " s after " + DownloadProgress.size(sink.bytes())
                                + "; try again, or check the server");
                    }
                }
            }
        } catch (InterruptedException e) {
            response.cancel(true);
            Thread.currentThread().interrupt();
            throw new VirtunitException("interrupted while downloading image " + url, e);
        } catch (ExecutionException | CancellationException e) {
            throw new VirtunitException("cannot download image " + url + ": " + describe(e.getCause() == null ? e : e.getCause())
                    + "; check the URL and that the server is up", e);
        } finally {
            sink.closeFile();
        }
    }

    /** Why a request failed, as a person reads it: each distinct message of the cause chain, or its type. */
    static String describe(Throwable failure) {
        if (failure instanceof HttpConnectTimeoutException) {
            return "no connection within the connect timeout (" + failure.getMessage() + ")";
        }
        if (failure instanceof HttpTimeoutException) {
            return "no answer within the response timeout (" + failure.getMessage() + ")";
        }
        List<String> parts = new ArrayList<>();
        for (Throwable cause = failure; cause != null && parts.size() < 4; cause = cause.getCause()) {
            String part = cause.getMessage() == null ? cause.getClass().getSimpleName()
                    : cause.getMessage() + " (" + cause.getClass().getSimpleName() + ")";
            if (!parts.contains(part)) {
                parts.add(part);
            }
        }
        return String.join(": ", parts);
    }

    /** Writes the body to the file as it arrives, with its digest and progress; one buffer list at a time. */
    private static final class FileSink implements Flow.Subscriber<List<ByteBuffer>> {
        private final Path target;
        private final URI url;
        private final MessageDigest digest = Sha256.newDigest();
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private volatile long bytes;
        private volatile long lastDataNanos;
        private volatile boolean subscribed;
        private DownloadProgress progress;
        private FileChannel file;
        private Flow.Subscription subscription;

        FileSink(Path target, URI url) {
            this.target = target;
            this.url = url;
        }

        FileSink sized(OptionalLong contentLength) {
            long now = System.nanoTime();
            progress = new DownloadProgress(url.toString(), contentLength, now, PROGRESS_INTERVAL);
            lastDataNanos = now;
            return this;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            try {
                file = FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING);
            } catch (IOException e) {
                subscription.cancel();
                done.completeExceptionally(e);
                return;
            }
            subscribed = true;
            subscription.request(1);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            try {
                for (ByteBuffer buffer : buffers) {
                    digest.update(buffer.duplicate());
                    while (buffer.hasRemaining()) {
                        bytes += file.write(buffer);
                    }
                }
            } catch (IOException e) {
                subscription.cancel();
                done.completeExceptionally(e);
                return;
            }
            long now = System.nanoTime();
            lastDataNanos = now;
            progress.advance(bytes, now).ifPresent(LOG::info);
            subscription.request(1);
        }

        @Override
        public void onError(Throwable failure) {
            done.completeExceptionally(failure);
        }

        @Override
        public void onComplete() {
            try {
                file.force(true);
                LOG.info(progress.finished(bytes, System.nanoTime()));
                done.complete(null);
            } catch (IOException e) {
                done.completeExceptionally(e);
            }
        }

        /** How long no data came; zero before the body started (the response timeout covers that). */
        long stalledNanos() {
            return subscribed ? System.nanoTime() - lastDataNanos : 0;
        }

        boolean failed() {
            return done.isCompletedExceptionally();
        }

        long bytes() {
            return bytes;
        }

        Result result() throws ExecutionException, InterruptedException {
            done.get();
            return new Result(bytes, Sha256.prefixed(digest));
        }

        void closeFile() {
            if (file == null) {
                return;
            }
            try {
                file.close();
            } catch (IOException e) {
                // the caller deletes the file on failure, and checked its size and digest on success
            }
        }
    }
}
