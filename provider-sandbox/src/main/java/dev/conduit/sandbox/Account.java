package dev.conduit.sandbox;

/** An upstream user account a person can "log in" as on the sandbox consent page. */
public record Account(Provider provider, String userId, String organizationId, String email, String givenName,
        String familyName, String hostedDomain) {

    public String username() {
        return email;
    }

    public String displayName() {
        return familyName == null ? givenName : givenName + " " + familyName;
    }
}
