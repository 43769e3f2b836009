package dev.conduit.sandbox;

/** The providers the sandbox imitates; each lives under its own path prefix. */
public enum Provider {
    SALESFORCE("salesforce"),
    HUBSPOT("hubspot"),
    GOOGLE("google");

    private final String prefix;

    Provider(String prefix) {
        this.prefix = prefix;
    }

    public String prefix() {
        return prefix;
    }
}
