package dev.conduit.exchange.narrow;

import dev.conduit.exchange.support.ConnectionBinding;
import org.keycloak.jose.jws.JWSInput;
import org.keycloak.jose.jws.JWSInputException;
import org.keycloak.representations.AccessToken;

/**
 * Whether a token-exchange request's subject token is bound to a Conduit connection, read exactly as Keycloak
 * reads a token before it verifies one ({@code TokenVerifier} parses with {@link JWSInput} into
 * {@link AccessToken}): a token Keycloak would accept is seen with the same claims here, whatever its shape
 * (trailing dots, size). Reading happens before verification only to route the request; the narrowing exchange
 * then verifies the token and decides on the verified claims. Fails closed: a token that cannot be read is
 * {@link Reading#UNREADABLE}, which the narrowing exchange takes and refuses instead of leaving it to another path.
 */
final class SubjectTokenBinding {

    enum Reading {
        /** A readable token without the {@value ConnectionBinding#CLAIM} claim. */
        FREE,
        /** The claim is present (whatever its value: a malformed binding binds to nothing usable). */
        BOUND,
        /** Not a token Keycloak's parser can read. */
        UNREADABLE
    }

    private SubjectTokenBinding() {
    }

    static Reading read(String subjectToken) {
        if (subjectToken == null) {
            return Reading.UNREADABLE;
        }
        AccessToken token;
        try {
            token = new JWSInput(subjectToken).readJsonContent(AccessToken.class);
        } catch (JWSInputException e) {
            return Reading.UNREADABLE;
        }
        if (token == null) {
            return Reading.UNREADABLE;
        }
        return token.getOtherClaims().containsKey(ConnectionBinding.CLAIM) ? Reading.BOUND : Reading.FREE;
    }
}
