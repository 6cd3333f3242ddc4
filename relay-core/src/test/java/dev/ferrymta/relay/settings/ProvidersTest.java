package dev.ferrymta.relay.settings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Provider groups: which MX hosts belong to which provider, the shipped table, and rows that replace or add. */
class ProvidersTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            // the large providers' real MX host names
            "aspmx.l.google.com, google",
            "ALT1.ASPMX.L.GOOGLE.COM., google",
            "smtp.google.com, google",
            "gmail-smtp-in.l.google.com, google",
            "example-com.mail.protection.outlook.com, microsoft",
            "hotmail-com.olc.protection.outlook.com, microsoft",
            "mta5.am0.yahoodns.net, yahoo",
            "mx01.mail.icloud.com, apple",
            "mx00.gmx.net, gmx-webde",
            "mx-ha03.web.de, gmx-webde",
            "smtp-in.orange.fr, orange",
            "mx1a1.comcast.net, comcast",
            "mx.zoho.eu, zoho",
            "mx.yandex.net, yandex",
            "in1-smtp.messagingengine.com, fastmail",
            "mx0a-00123401.pphosted.com, proofpoint",
            "eu-smtp-inbound-1.mimecast.com, mimecast",
            // not theirs
            "google.com.evil.example, ",
            "notgoogle.com, ",
            "mx.example.org, ",
    })
    void theMostPreferredMxHostDecidesTheProvider(String host, String provider) {
        assertThat(Providers.shipped().providerOf(List.of(host, "mx.example.org"))).isEqualTo(Optional.ofNullable(provider));
    }

    @Test
    void onlyTheMostPreferredHostCountsAndNoHostsIsNoProvider() {
        assertThat(Providers.shipped().providerOf(List.of("mx.example.org", "aspmx.l.google.com"))).isEmpty();
        assertThat(Providers.shipped().providerOf(List.of())).isEmpty();
    }

    @Test
    void aRowOfTheSharedSettingsReplacesTheShippedProviderOfItsNameAndOthersAreAdded() {
        var providers = Providers.with(List.of(new Provider(7, 1, "google", List.of("*.google.test")),
                new Provider(8, 1, "acme-hosting", List.of("mx1.acme.test", "*.mx.acme.test"))));

        assertThat(providers.providerOf(List.of("aspmx.l.google.com"))).as("replaced").isEmpty();
        assertThat(providers.providerOf(List.of("mx.google.test"))).contains("google");
        assertThat(providers.providerOf(List.of("mx1.acme.test"))).contains("acme-hosting");
        assertThat(providers.providerOf(List.of("a.mx.acme.test"))).contains("acme-hosting");
        assertThat(providers.providerOf(List.of("mx2.acme.test"))).isEmpty();
        assertThat(providers.has("yahoo")).isTrue();
        assertThat(providers.all()).extracting(Provider::name).startsWith("google").endsWith("acme-hosting");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
            "Google    | *.google.com      | name: 'Google' is not a provider name",
            "-x        | *.google.com      | name: '-x' is not a provider name",
            "google    | ''                | mxPatterns: a provider needs at least one MX host pattern",
            "google    | *.com             | mxPatterns: '*.com' is neither a host name nor *. and a domain",
            "google    | *google.com       | mxPatterns: '*google.com' is neither",
            "google    | mx_1.google.com   | mxPatterns: 'mx_1.google.com' is neither",
            "google    | a.*.google.com    | mxPatterns: 'a.*.google.com' is neither",
    })
    void aBadProviderIsRefusedNamingTheField(String name, String pattern, String error) {
        assertThatThrownBy(() -> new Provider(0, 0, name, List.of(pattern))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(error);
    }
}
