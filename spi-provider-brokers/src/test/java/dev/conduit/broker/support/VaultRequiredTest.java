package dev.conduit.broker.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import jakarta.ws.rs.core.Response;

import dev.conduit.api.vault.ConduitVault;
import org.junit.jupiter.api.Test;
import org.keycloak.forms.login.LoginFormsProvider;
import org.keycloak.models.KeycloakSession;

/** A login through a Conduit broker on a server without the token vault jar: an error page, never a NullPointerException. */
class VaultRequiredTest {

    /** What the login page provider was asked to render. */
    private final List<String> rendered = new ArrayList<>();

    /** Stands for the rendered page: the test stops where Keycloak would send it. */
    private static final class PageRendered extends RuntimeException {
    }

    @Test
    void withTheVaultInstalledTheLoginGetsIt() {
        ConduitVault vault = proxy(ConduitVault.class, (method, args) -> null);

        assertThat(VaultRequired.of(session(vault), null, "salesforce")).isSameAs(vault);
        assertThat(rendered).isEmpty();
    }

    @Test
    void withoutTheVaultTheLoginEndsOnAnErrorPageSayingSo() throws IOException {
        assertThatThrownBy(() -> VaultRequired.of(session(null), null, "salesforce")).isInstanceOf(PageRendered.class);

        assertThat(rendered).containsExactly("error:" + VaultRequired.MISSING_MESSAGE, "page:" + Response.Status.SERVICE_UNAVAILABLE);
        Properties messages = new Properties();
        try (InputStream in = getClass().getResourceAsStream("/theme-resources/messages/messages_en.properties")) {
            messages.load(in);
        }
        assertThat(messages.getProperty(VaultRequired.MISSING_MESSAGE)).contains("Nothing was stored").contains("administrator");
    }

    private KeycloakSession session(ConduitVault vault) {
        LoginFormsProvider forms = proxy(LoginFormsProvider.class, (method, args) -> {
            switch (method) {
                case "setError" -> rendered.add("error:" + args[0]);
                case "createErrorPage" -> {
                    rendered.add("page:" + args[0]);
                    throw new PageRendered();
                }
                default -> {
                }
            }
            return null;
        });
        return proxy(KeycloakSession.class, (method, args) -> {
            if (method.equals("getProvider") && args[0] == ConduitVault.class) {
                return vault;
            }
            if (method.equals("getProvider") && args[0] == LoginFormsProvider.class) {
                return forms;
            }
            throw new UnsupportedOperationException(method);
        });
    }

    private interface Answer {
        Object answer(String method, Object[] args);
    }

    /** A proxy whose builder-style methods (returning its own type) return itself. */
    private static <T> T proxy(Class<T> type, Answer answer) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, method, args) -> {
            Object value = answer.answer(method.getName(), args);
            return value == null && method.getReturnType().isInstance(p) ? p : value;
        }));
    }
}
