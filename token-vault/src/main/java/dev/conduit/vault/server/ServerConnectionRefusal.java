package dev.conduit.vault.server;

/** Why an admin's server-connection request is refused: an HTTP status and words that repeat no secret. */
public final class ServerConnectionRefusal extends Exception {

    private final int status;

    public ServerConnectionRefusal(int status, String description) {
        super(description, null, false, false);
        this.status = status;
    }

    public int status() {
        return status;
    }
}
