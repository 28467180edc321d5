package io.leanp2p.cli.metrics;

import io.leanp2p.cli.UsageException;
import io.leanp2p.metrics.prometheus.LeanP2pCollector;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.util.List;
import java.util.function.Supplier;

/**
 * Serves {@code /metrics} for a set of networks through the {@code lean-p2p-metrics} module's
 * {@link LeanP2pCollector}, with its own registry (nothing global).
 */
public final class MetricsServer implements AutoCloseable {
  private final HTTPServer server;

  private MetricsServer(HTTPServer server) {
    this.server = server;
  }

  /** Starts the exporter on {@code host:port}; a port in use is a usage error. */
  public static MetricsServer start(String host, int port, Supplier<List<LeanP2pCollector.Source>> sources) {
    PrometheusRegistry registry = new PrometheusRegistry();
    registry.register(new LeanP2pCollector(sources));
    try {
      return new MetricsServer(HTTPServer.builder().hostname(host).port(port).registry(registry).buildAndStart());
    } catch (IOException e) {
      throw new UsageException("cannot serve metrics on " + host + ":" + port + ": " + e.getMessage()
          + " (pick another --metrics-port, or stop what is listening there)");
    }
  }

  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.close();
  }
}
