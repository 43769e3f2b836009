package dev.conduit.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;

class AccountsTest {

    /** The consent page picks an account by its id: two accounts of one provider with one id log in as the wrong person. */
    @Test
    void everyAccountOfAProviderHasItsOwnIdAndEmail() {
        for (Provider provider : Provider.values()) {
            Set<String> ids = new HashSet<>();
            Set<String> emails = new HashSet<>();
            for (Account account : Accounts.of(provider)) {
                assertThat(ids.add(account.userId())).as("%s id %s used twice", provider, account.userId()).isTrue();
                assertThat(emails.add(account.email())).as("%s e-mail %s used twice", provider, account.email()).isTrue();
            }
        }
    }

    @Test
    void everyDeclaredAccountIsOnTheConsentPage() throws IllegalAccessException {
        for (var field : Accounts.class.getFields()) {
            if (field.getType() == Account.class) {
                assertThat(Accounts.ALL).as("Accounts.ALL lists %s", field.getName()).contains((Account) field.get(null));
            }
        }
    }
}
