package dev.conduit.sandbox;

import java.util.List;

/** The upstream accounts the sandbox knows, for the demo and the tests. */
public final class Accounts {

    public static final String SALESFORCE_ORG = "00D5g000004AcmeEAA";
    public static final Account SALESFORCE_ADA = new Account(Provider.SALESFORCE, "0055g00000AdaLoEAA", SALESFORCE_ORG,
            "ada@acme.example", "Ada", "Lovelace", null);
    public static final Account SALESFORCE_CHARLES = new Account(Provider.SALESFORCE, "0055g00000ChaBaEAA",
            SALESFORCE_ORG, "charles@acme.example", "Charles", "Babbage", null);
    /** Accounts the token-vault tests connect, so they never share a federated identity with the broker tests. */
    public static final Account SALESFORCE_MARGARET = new Account(Provider.SALESFORCE, "0055g00000MarHaEAA",
            SALESFORCE_ORG, "margaret@acme.example", "Margaret", "Hamilton", null);
    public static final Account SALESFORCE_KATHERINE = new Account(Provider.SALESFORCE, "0055g00000KatJoEAA",
            SALESFORCE_ORG, "katherine@acme.example", "Katherine", "Johnson", null);
    public static final Account SALESFORCE_HEDY = new Account(Provider.SALESFORCE, "0055g00000HedLaEAA",
            SALESFORCE_ORG, "hedy@acme.example", "Hedy", "Lamarr", null);
    public static final Account SALESFORCE_ANNIE = new Account(Provider.SALESFORCE, "0055g00000AnnEaEAA",
            SALESFORCE_ORG, "annie@acme.example", "Annie", "Easley", null);
    /** Accounts the example internal app's tests connect (ExampleAppIT): one as a user, one for an organization. */
    public static final Account SALESFORCE_JEAN = new Account(Provider.SALESFORCE, "0055g00000JeaBaEAA",
            SALESFORCE_ORG, "jean@acme.example", "Jean", "Bartik", null);
    public static final Account SALESFORCE_ADELE = new Account(Provider.SALESFORCE, "0055g00000AdeGoEAA",
            SALESFORCE_ORG, "adele@acme.example", "Adele", "Goldberg", null);
    /** The connections console's browser tests. */
    public static final Account SALESFORCE_MARIE = new Account(Provider.SALESFORCE, "0055g00000MarCuEAA",
            SALESFORCE_ORG, "marie@acme.example", "Marie", "Curie", null);
    public static final Account SALESFORCE_ROSALIND = new Account(Provider.SALESFORCE, "0055g00000RosFrEAA",
            SALESFORCE_ORG, "rosalind@acme.example", "Rosalind", "Franklin", null);
    public static final Account SALESFORCE_LISE = new Account(Provider.SALESFORCE, "0055g00000LisMeEAA",
            SALESFORCE_ORG, "lise@acme.example", "Lise", "Meitner", null);
    /** The fault tests (FaultsIT). */
    public static final Account SALESFORCE_EVELYN = new Account(Provider.SALESFORCE, "0055g00000EveBeEAA",
            SALESFORCE_ORG, "evelyn@acme.example", "Evelyn", "Berezin", null);
    /** The database restart test (DatabaseRestartIT). */
    public static final Account SALESFORCE_SHAFI = new Account(Provider.SALESFORCE, "0055g00000ShaGoEAA",
            SALESFORCE_ORG, "shafi@acme.example", "Shafi", "Goldwasser", null);
    public static final Account SALESFORCE_KAREN = new Account(Provider.SALESFORCE, "0055g00000KarJoEAA",
            SALESFORCE_ORG, "karen@acme.example", "Karen", "Jones", null);
    /** The permission attack tests (PermissionAttackIT). */
    public static final Account SALESFORCE_BETTY = new Account(Provider.SALESFORCE, "0055g00000BetHoEAA",
            SALESFORCE_ORG, "betty@acme.example", "Betty", "Holberton", null);

    /** The organization-connect attack tests: an organization admin's own, personal Salesforce account. */
    public static final Account SALESFORCE_GLADYS = new Account(Provider.SALESFORCE, "0055g00000GlaWeEAA",
            SALESFORCE_ORG, "gladys@acme.example", "Gladys", "West", null);

    public static final String HUBSPOT_HUB = "4242001";
    public static final Account HUBSPOT_GRACE = new Account(Provider.HUBSPOT, "7100101", HUBSPOT_HUB,
            "grace@acme.example", "Grace", "Hopper", null);
    public static final Account HUBSPOT_ADA = new Account(Provider.HUBSPOT, "7100102", HUBSPOT_HUB,
            "ada@acme.example", "Ada", "Lovelace", null);
    public static final Account HUBSPOT_BARBARA = new Account(Provider.HUBSPOT, "7100103", HUBSPOT_HUB,
            "barbara@acme.example", "Barbara", "Liskov", null);
    /** Connected by the permission and narrowing exchange tests. */
    public static final Account HUBSPOT_MARY = new Account(Provider.HUBSPOT, "7100150", HUBSPOT_HUB,
            "mary@acme.example", "Mary", "Jackson", null);
    public static final Account HUBSPOT_FRANCES = new Account(Provider.HUBSPOT, "7100104", HUBSPOT_HUB,
            "frances@acme.example", "Frances", "Allen", null);
    /** Connected by the example internal app's tests (ExampleAppIT). */
    public static final Account HUBSPOT_JOAN = new Account(Provider.HUBSPOT, "7100105", HUBSPOT_HUB,
            "joan@acme.example", "Joan", "Clarke", null);
    public static final Account HUBSPOT_SOPHIE = new Account(Provider.HUBSPOT, "7100106", HUBSPOT_HUB,
            "sophie@acme.example", "Sophie", "Wilson", null);
    /** The connections console's organization test. */
    public static final Account HUBSPOT_EMMY = new Account(Provider.HUBSPOT, "7100107", HUBSPOT_HUB,
            "emmy@acme.example", "Emmy", "Noether", null);
    /** The fault tests (FaultsIT). */
    public static final Account HUBSPOT_KATHLEEN = new Account(Provider.HUBSPOT, "7100108", HUBSPOT_HUB,
            "kathleen@acme.example", "Kathleen", "Booth", null);
    /** The database restart test (DatabaseRestartIT). */
    public static final Account HUBSPOT_RUTH = new Account(Provider.HUBSPOT, "7100109", HUBSPOT_HUB,
            "ruth@acme.example", "Ruth", "Teitelbaum", null);
    /** The narrowed-token attack tests (attack.NarrowedTokenAttackIT). */
    public static final Account HUBSPOT_DOROTHY = new Account(Provider.HUBSPOT, "7100160", HUBSPOT_HUB,
            "dorothy@acme.example", "Dorothy", "Vaughan", null);
    /** The vault attack tests (attack.VaultAttackIT): a victim and an attacker with realm accounts. */
    public static final Account HUBSPOT_MILLIE = new Account(Provider.HUBSPOT, "7100161", HUBSPOT_HUB,
            "millie@acme.example", "Millie", "Dresselhaus", null);
    public static final Account HUBSPOT_ELIZABETH = new Account(Provider.HUBSPOT, "7100162", HUBSPOT_HUB,
            "elizabeth@acme.example", "Elizabeth", "Feinler", null);

    public static final Account GOOGLE_ALAN = new Account(Provider.GOOGLE, "110248495921238986420", "acme.example",
            "alan@acme.example", "Alan", "Turing", "acme.example");
    public static final Account GOOGLE_ADA = new Account(Provider.GOOGLE, "110248495921238986421", "acme.example",
            "ada@acme.example", "Ada", "Lovelace", "acme.example");
    public static final Account GOOGLE_PERSONAL = new Account(Provider.GOOGLE, "104857200000000000077", null,
            "kim.personal@gmail.example", "Kim", "Personal", null);
    public static final Account GOOGLE_EDSGER = new Account(Provider.GOOGLE, "110248495921238986422", "acme.example",
            "edsger@acme.example", "Edsger", "Dijkstra", "acme.example");
    /** Connected by the example internal app's tests (ExampleAppIT). */
    public static final Account GOOGLE_DONALD = new Account(Provider.GOOGLE, "110248495921238986423", "acme.example",
            "donald@acme.example", "Donald", "Knuth", "acme.example");
    public static final Account GOOGLE_JOHN = new Account(Provider.GOOGLE, "110248495921238986424", "acme.example",
            "john@acme.example", "John", "Backus", "acme.example");
    /** Accounts the exchange benchmark connects: through Conduit's google, and through Keycloak's own google-stored. */
    public static final Account GOOGLE_CLAUDE = new Account(Provider.GOOGLE, "110248495921238986440", "acme.example",
            "claude@acme.example", "Claude", "Shannon", "acme.example");
    public static final Account GOOGLE_RADIA = new Account(Provider.GOOGLE, "110248495921238986441", "acme.example",
            "radia@acme.example", "Radia", "Perlman", "acme.example");

    /** Connected by the vault admin API tests. */
    public static final Account GOOGLE_GRACE_H = new Account(Provider.GOOGLE, "110248495921238986450", "acme.example",
            "grace.h@acme.example", "Grace", "Hamilton", "acme.example");
    /** The database restart test (DatabaseRestartIT). */
    public static final Account GOOGLE_LESLIE = new Account(Provider.GOOGLE, "110248495921238986460", "acme.example",
            "leslie@acme.example", "Leslie", "Lamport", "acme.example");
    /** The permission attack tests (PermissionAttackIT). */
    public static final Account GOOGLE_BETTY = new Account(Provider.GOOGLE, "110248495921238986470", "acme.example",
            "betty@acme.example", "Betty", "Holberton", "acme.example");

    /**
     * First logins held on Keycloak's review-profile page (SessionNotesAttackIT): no family name, so Keycloak
     * asks for it; HubSpot gives no names at all.
     */
    public static final Account SALESFORCE_JOCELYN = new Account(Provider.SALESFORCE, "0055g00000JocBeEAA",
            SALESFORCE_ORG, "jocelyn@acme.example", "Jocelyn", null, null);
    public static final Account HUBSPOT_VERA = new Account(Provider.HUBSPOT, "7100111", HUBSPOT_HUB,
            "vera@acme.example", "Vera", "Rubin", null);
    /** Its first login receives, through the cache, the sealed grant of HUBSPOT_VERA's (SessionNotesAttackIT). */
    public static final Account HUBSPOT_LYNN = new Account(Provider.HUBSPOT, "7100112", HUBSPOT_HUB,
            "lynn@acme.example", "Lynn", "Conway", null);
    public static final Account GOOGLE_CHIEN = new Account(Provider.GOOGLE, "110248495921238986471", "acme.example",
            "chien-shiung@acme.example", "Chien-Shiung", null, "acme.example");

    /**
     * The account-name attack test (attack.AccountNameAttackIT): Eve named her Salesforce account with markup, a bidi
     * override, a newline and hundreds of characters, to inject HTML into people's pages or forge log lines.
     */
    public static final Account SALESFORCE_EVE_HOSTILE = new Account(Provider.SALESFORCE, "0055g00000EvlHoEAA",
            SALESFORCE_ORG, "eve.hostile@acme.example", "<img src=x onerror=\"document.title='pwned'\">",
            "conduit-hostile-name\u202e\n\u2066Admin" + "B".repeat(400), null);
    /** The demo app's tests (DemoAppIT, DemoAppCsrfAttackIT, OwnConnectionsClientAttackIT). */
    public static final Account SALESFORCE_HILDA = new Account(Provider.SALESFORCE, "0055g00000HilGeEAA",
            SALESFORCE_ORG, "hilda@acme.example", "Hilda", "Geiringer", null);
    public static final Account HUBSPOT_KLARA = new Account(Provider.HUBSPOT, "7100170", HUBSPOT_HUB,
            "klara@acme.example", "Klara", "Dan", null);
    public static final Account GOOGLE_ALONZO = new Account(Provider.GOOGLE, "110248495921238986480", "acme.example",
            "alonzo@acme.example", "Alonzo", "Church", "acme.example");
    /** NamedSubjectAttackIT: a Workspace user of acme.example who names her CEO as the user to act as. */
    public static final Account GOOGLE_MALLORY = new Account(Provider.GOOGLE, "110248495921238986490", "acme.example",
            "mallory.named@acme.example", "Mallory", "Named", "acme.example");
    /** Connected for an organization in DemoAppIT. */
    public static final Account SALESFORCE_GRETE = new Account(Provider.SALESFORCE, "0055g00000GreHeEAA",
            SALESFORCE_ORG, "grete@acme.example", "Grete", "Hermann", null);
    public static final Account SALESFORCE_MARY_K = new Account(Provider.SALESFORCE, "0055g00000MarKeEAA",
            SALESFORCE_ORG, "mary.k@acme.example", "Mary", "Keller", null);
    public static final Account SALESFORCE_CAROL = new Account(Provider.SALESFORCE, "0055g00000CarShEAA",
            SALESFORCE_ORG, "carol@acme.example", "Carol", "Shaw", null);
    /**
     * The refused-token tests (RefusedTokenIT): Ida and Maud's connections are refused by the provider and
     * replaced, Anita's on HubSpot; Mallory runs a misbehaving sync job that keeps reporting refusals.
     */
    public static final Account SALESFORCE_IDA = new Account(Provider.SALESFORCE, "0055g00000IdaRhEAA",
            SALESFORCE_ORG, "ida@acme.example", "Ida", "Rhodes", null);
    public static final Account SALESFORCE_MAUD = new Account(Provider.SALESFORCE, "0055g00000MauMeEAA",
            SALESFORCE_ORG, "maud@acme.example", "Maud", "Menten", null);
    public static final Account SALESFORCE_MALLORY = new Account(Provider.SALESFORCE, "0055g00000MalSyEAA",
            SALESFORCE_ORG, "mallory@acme.example", "Mallory", "Sync", null);
    public static final Account HUBSPOT_ANITA = new Account(Provider.HUBSPOT, "7100113", HUBSPOT_HUB,
            "anita@acme.example", "Anita", "Borg", null);
    /** The pooled-connection test (RefreshPoolIT): Nora's connection is refreshed while the provider answers slowly. */
    public static final Account SALESFORCE_NORA = new Account(Provider.SALESFORCE, "0055g00000NorEpEAA",
            SALESFORCE_ORG, "nora@acme.example", "Nora", "Ephron", null);

    public static final List<Account> ALL = List.of(SALESFORCE_ADA, SALESFORCE_CHARLES, SALESFORCE_MARGARET,
            SALESFORCE_KATHERINE, SALESFORCE_HEDY, SALESFORCE_ANNIE, HUBSPOT_GRACE, HUBSPOT_ADA, HUBSPOT_BARBARA, HUBSPOT_FRANCES, HUBSPOT_MARY, GOOGLE_ALAN, GOOGLE_ADA,
            GOOGLE_PERSONAL, GOOGLE_EDSGER, GOOGLE_CLAUDE, GOOGLE_RADIA,
            SALESFORCE_JEAN, SALESFORCE_ADELE, SALESFORCE_MARIE, SALESFORCE_ROSALIND, SALESFORCE_LISE, SALESFORCE_EVELYN, HUBSPOT_EMMY, HUBSPOT_KATHLEEN, HUBSPOT_JOAN, HUBSPOT_SOPHIE, GOOGLE_DONALD, GOOGLE_JOHN, GOOGLE_GRACE_H,
            SALESFORCE_SHAFI, SALESFORCE_KAREN, HUBSPOT_RUTH, GOOGLE_LESLIE, SALESFORCE_BETTY, GOOGLE_BETTY,
            HUBSPOT_DOROTHY, HUBSPOT_MILLIE, HUBSPOT_ELIZABETH,
            SALESFORCE_JOCELYN, HUBSPOT_VERA, HUBSPOT_LYNN, GOOGLE_CHIEN, SALESFORCE_GLADYS,
            SALESFORCE_EVE_HOSTILE, SALESFORCE_HILDA, HUBSPOT_KLARA, GOOGLE_ALONZO, SALESFORCE_GRETE, SALESFORCE_MARY_K, SALESFORCE_CAROL,
            SALESFORCE_IDA, SALESFORCE_MAUD, SALESFORCE_MALLORY, HUBSPOT_ANITA, SALESFORCE_NORA, GOOGLE_MALLORY);

    private Accounts() {
    }

    public static List<Account> of(Provider provider) {
        return ALL.stream().filter(a -> a.provider() == provider).toList();
    }

    public static Account byUserId(Provider provider, String userId) {
        return ALL.stream().filter(a -> a.provider() == provider && a.userId().equals(userId)).findFirst().orElse(null);
    }
}
