package dev.ferrymta.console;

import io.undertow.Undertow;
import io.undertow.server.RoutingHandler;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.function.UnaryOperator;

/**
 * A bare Undertow on a loopback port serving the routes a test adds, as the console mounts them
 * (without a password), for testing an API class over real HTTP on its own.
 */
final class RoutesServer implements AutoCloseable {

    private final Undertow server;
    private final HttpClient http = HttpClient.newHttpClient();

    RoutesServer(UnaryOperator<RoutingHandler> routes) {
        server = Undertow.builder()
                .addHttpListener(0, "127.0.0.1")
                .setIoThreads(1)
                .setWorkerThreads(2)
                .setHandler(routes.apply(new RoutingHandler()))
                .build();
        server.start();
    }

    /** GETs {@code path}, with headers given as name, value, name, value... */
    HttpResponse<String> get(String path, String... headers) throws Exception {
        int port = ((InetSocketAddress) server.getListenerInfo().getFirst().getAddress()).getPort();
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        server.stop();
    }
}
