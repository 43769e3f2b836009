package dev.conduit.demoapp;

/** Keycloak's token endpoint refused a code or refresh token (an OAuth error answer), or answered nonsense. */
final class KeycloakRefusal extends Exception {

    private final int status;
    private final String error;

    KeycloakRefusal(int status, String error, String description) {
        super("Keycloak answered HTTP " + status + (error == null ? "" : " " + error)
                + (description == null ? "" : ": " + description));
        this.status = status;
        this.error = error;
    }

    int status() {
        return status;
    }

    String error() {
        return error;
    }
}
