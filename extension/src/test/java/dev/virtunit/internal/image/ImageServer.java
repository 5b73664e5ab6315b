package dev.virtunit.internal.image;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A web server on 127.0.0.1 for the download tests: files by path, 404 for anything else, a count of requests per
 * path, and gates that hold a response (after its headers and a first part of the body) until the test opens them.
 */
final class ImageServer implements AutoCloseable {

    private final HttpServer server;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();
    private final Map<String, CountDownLatch> arrived = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();

    ImageServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", this::handle);
        server.start();
    }

    ImageServer serve(String path, byte[] content) {
        files.put(path, content);
        return this;
    }

    /** Responses for {@code path} send their headers and a first kilobyte, then wait until {@link #open} is called. */
    ImageServer gate(String path) {
        gates.put(path, new CountDownLatch(1));
        return this;
    }

    void open(String path) {
        gates.get(path).countDown();
    }

    /** Waits until a request for {@code path} has arrived; false after 30 s. */
    boolean awaitRequest(String path) throws InterruptedException {
        return arrivedLatch(path).await(30, TimeUnit.SECONDS);
    }

    int requests(String path) {
        return requests.computeIfAbsent(path, p -> new AtomicInteger()).get();
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    private CountDownLatch arrivedLatch(String path) {
        return arrived.computeIfAbsent(path, p -> new CountDownLatch(1));
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        requests.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        arrivedLatch(path).countDown();
        byte[] content = files.get(path);
        try (exchange) {
            if (content == null) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            exchange.sendResponseHeaders(200, content.length);
            OutputStream body = exchange.getResponseBody();
            CountDownLatch gate = gates.get(path);
            int first = gate == null ? content.length : Math.min(1024, content.length);
            body.write(content, 0, first);
            body.flush();
            if (gate != null) {
                gate.await(60, TimeUnit.SECONDS);
            }
            body.write(content, first, content.length - first);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            // the client went away (a test that gave up on a stalled download): nothing to answer
        }
    }

    @Override
    public void close() {
        gates.values().forEach(CountDownLatch::countDown);
        server.stop(0);
    }
}
