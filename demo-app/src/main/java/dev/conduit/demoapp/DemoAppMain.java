package dev.conduit.demoapp;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Runs the demo app for {@code demo.sh}:
 * {@code java -cp ... dev.conduit.demoapp.DemoAppMain --internal-client-secret-file=.demo/internal-app-secret
 * [--keycloak-url=http://localhost:8080] [--realm=conduit-demo] [--port=8090] [--sandbox-url=http://localhost:8089]}.
 */
public final class DemoAppMain {

    private DemoAppMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        DemoAppConfig config;
        try {
            config = DemoAppConfig.fromArguments(args, System.getenv());
        } catch (IllegalArgumentException | UncheckedIOException e) {
            System.err.println("demo app: " + e.getMessage());
            System.exit(2);
            return;
        }
        DemoApp app;
        try {
            app = DemoApp.start(config);
        } catch (IOException e) {
            System.err.println("demo app: cannot listen on 127.0.0.1:" + config.port() + " (" + e.getMessage() + ")");
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(app::stop));
        Thread.currentThread().join();
    }
}
