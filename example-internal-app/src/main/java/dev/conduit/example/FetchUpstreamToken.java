package dev.conduit.example;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Gets one upstream token from the command line and says what came back, never the token itself:
 *
 * <pre>
 * KEYCLOAK_URL=http://localhost:8080 REALM=conduit-demo CLIENT_ID=conduit-internal-app CLIENT_SECRET=... \
 * SUBJECT_TOKEN=... PROVIDER=salesforce [ORGANIZATION=acme] \
 * java -cp "example-internal-app/target/conduit-example-internal-app.jar:example-internal-app/target/lib/*" \
 *     dev.conduit.example.FetchUpstreamToken
 * </pre>
 *
 * Exit status: 0 with a token, 2 when refused (with where to connect, if a person can fix it), 1 when
 * Keycloak cannot be reached, 64 when a variable is missing.
 */
public final class FetchUpstreamToken {

    private static final List<String> REQUIRED = List.of("KEYCLOAK_URL", "REALM", "CLIENT_ID", "CLIENT_SECRET",
            "SUBJECT_TOKEN", "PROVIDER");

    private FetchUpstreamToken() {
    }

    public static void main(String[] args) {
        System.exit(run(System.getenv(), System.out, System.err));
    }

    static int run(Map<String, String> env, PrintStream out, PrintStream err) {
        List<String> missing = new ArrayList<>();
        for (String name : REQUIRED) {
            if (env.get(name) == null || env.get(name).isBlank()) {
                missing.add(name);
            }
        }
        if (!missing.isEmpty()) {
            err.println("missing environment variables: " + String.join(", ", missing)
                    + " (ORGANIZATION is optional: the organization's connection instead of the user's own)");
            return 64;
        }
        UpstreamTokens tokens = UpstreamTokens.forRealm(env.get("KEYCLOAK_URL"), env.get("REALM"), env.get("CLIENT_ID"),
                env.get("CLIENT_SECRET"));
        String organization = env.get("ORGANIZATION");
        try {
            UpstreamToken token = organization == null || organization.isBlank()
                    ? tokens.forUser(env.get("SUBJECT_TOKEN"), env.get("PROVIDER"))
                    : tokens.forOrganization(env.get("SUBJECT_TOKEN"), env.get("PROVIDER"), organization);
            out.println("provider:        " + token.provider());
            out.println("expires_in:      " + token.expiresIn());
            out.println("scopes:          " + String.join(" ", token.scopes()));
            out.println("account_id:      " + token.accountId());
            if (token.instanceUrl() != null) {
                out.println("instance_url:    " + token.instanceUrl());
            }
            if (token.organizationId() != null) {
                out.println("organization_id: " + token.organizationId());
            }
            if (token.hubId() != null) {
                out.println("hub_id:          " + token.hubId());
            }
            return 0;
        } catch (UpstreamTokenRefusedException refused) {
            err.println(refused.getMessage());
            if (refused.needsUser()) {
                err.println("send the user to connect " + env.get("PROVIDER") + ": " + refused.connectUri());
            }
            return 2;
        } catch (java.io.UncheckedIOException unreachable) {
            err.println(unreachable.getMessage() + ": " + unreachable.getCause());
            return 1;
        }
    }
}
