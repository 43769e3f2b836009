package dev.conduit.api.support;

import org.keycloak.models.AbstractKeycloakTransaction;

/**
 * Runs an action once the transaction it is enlisted in committed, and nothing on rollback: enlisted with
 * {@code session.getTransactionManager().enlistAfterCompletion(new AfterCommit(action))}, for work that must see the
 * request's writes (the vault's revocation send, the console's scope of a new realm) and must not happen when they
 * were rolled back.
 */
public final class AfterCommit extends AbstractKeycloakTransaction {

    private final Runnable action;

    public AfterCommit(Runnable action) {
        this.action = action;
    }

    @Override
    protected void commitImpl() {
        action.run();
    }

    @Override
    protected void rollbackImpl() {
        // the request's writes are gone: nothing to follow them up
    }
}
