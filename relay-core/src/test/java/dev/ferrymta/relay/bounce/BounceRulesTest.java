package dev.ferrymta.relay.bounce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferrymta.relay.attempt.Attempt;
import dev.ferrymta.relay.attempt.AttemptResult;
import dev.ferrymta.relay.attempt.AttemptState;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The shipped rules over reply texts the large mailbox providers document publicly (their
 * postmaster and SMTP error pages), as their servers send them (IP addresses and host names made
 * up), and over generic MTA replies.
 */
class BounceRulesTest {

    private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");

    private static Attempt reply(int code, String status, String text) throws Exception {
        return new Attempt(AttemptState.RCPTTO, AttemptResult.ERROR, NOW, Optional.of(InetAddress.getByName("192.0.2.1")),
                Optional.of(InetAddress.getByName("198.51.100.7")), Optional.of("mx.example.net"), OptionalInt.of(code),
                status.isEmpty() ? Optional.empty() : Optional.of(status), text);
    }

    @ParameterizedTest(name = "{0} {1} {2} -> {4}")
    @CsvSource(delimiter = '|', value = {
            // Google (Gmail, Workspace): SMTP error reference
            "Google    | 550 | 5.1.1 | The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces. | bad-mailbox",
            "Google    | 552 | 5.2.2 | The email account that you tried to reach is over quota. Please direct the recipient to https://support.google.com/mail/?p=OverQuotaPerm | mailbox-full",
            "Google    | 452 | 4.2.2 | The email account that you tried to reach is over quota. Please direct the recipient to https://support.google.com/mail/?p=OverQuotaTemp | mailbox-full",
            "Google    | 550 | 5.2.1 | The email account that you tried to reach is disabled. | inactive-mailbox",
            "Google    | 421 | 4.7.28 | [192.0.2.1] Our system has detected an unusual rate of unsolicited mail originating from your IP address. To protect our users from spam, mail sent from your IP address has been temporarily rate limited. | rate-limit",
            "Google    | 550 | 5.7.28 | [192.0.2.1] Our system has detected an unusual rate of unsolicited mail originating from your IP address. To protect our users from spam, mail sent from your IP address has been blocked. | reputation",
            "Google    | 421 | 4.7.0 | Try again later, closing connection. (EHLO) | rate-limit",
            "Google    | 550 | 5.7.1 | [192.0.2.1] Our system has detected that this message is likely unsolicited mail. To reduce the amount of spam sent to Gmail, this message has been blocked. | spam",
            "Google    | 550 | 5.7.26 | This mail has been blocked because the sender is unauthenticated. Gmail requires all senders to authenticate with either SPF or DKIM. | authentication",
            "Google    | 550 | 5.7.26 | Unauthenticated email from example.com is not accepted due to domain's DMARC policy. | authentication",
            "Google    | 421 | 4.7.26 | This mail has been rate limited because it is unauthenticated. Gmail requires all senders to authenticate with either SPF or DKIM. | authentication",
            "Google    | 552 | 5.3.4 | Your message exceeded Google's message size limits. | message-too-large",
            "Google    | 552 | 5.7.0 | This message was blocked because its content presents a potential security issue. | content",
            "Google    | 550 | 5.7.1 | The IP you're using to send mail is not authorized to send email directly to our servers. Please use the SMTP relay at your service provider instead. | routing",
            "Google    | 421 | 4.7.0 | TLS required for RCPT domain, closing connection. | tls",
            "Google    | 530 | 5.7.0 | Must issue a STARTTLS command first. | tls",
            "Google    | 550 | 5.7.25 | The IP address sending this message does not have a PTR record setup, or the corresponding forward DNS entry does not point to the sending IP. | dns",
            "Google    | 550 | 5.4.5 | Daily user sending limit exceeded. | rate-limit",
            "Google    | 452 | 4.5.3 | Your message has too many recipients. | protocol",
            "Google    | 421 | 4.3.0 | Temporary System Problem. Try again later. | rate-limit",
            // Microsoft (Outlook.com, Hotmail, Exchange Online)
            "Microsoft | 550 | 5.7.1 | Unfortunately, messages from [192.0.2.1] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150). | reputation",
            "Microsoft | 550 | 5.7.1 | Unfortunately, messages from [192.0.2.1] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3140). | reputation",
            "Microsoft | 451 | 4.7.500 | Server busy. Please try again later from [192.0.2.1]. (S77714) [Name=Protocol Filter Agent] | rate-limit",
            "Microsoft | 421 | 4.7.650 | The mail server [192.0.2.1] has been temporarily rate limited due to IP reputation. | rate-limit",
            "Microsoft | 550 | 5.7.708 | Service unavailable. Access denied, traffic not accepted from this IP. | reputation",
            "Microsoft | 550 | 5.7.606 | Access denied, banned sending IP [192.0.2.1]. | reputation",
            "Microsoft | 550 | 5.5.0 | Requested action not taken: mailbox unavailable (S2017062302). | bad-mailbox",
            "Microsoft | 550 | 5.4.1 | Recipient address rejected: Access denied. AS(201806281) | bad-mailbox",
            "Microsoft | 550 | 5.1.10 | RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup | bad-mailbox",
            "Microsoft | 554 | 5.2.2 | mailbox full; STOREDRV.Deliver.Exception:QuotaExceededException.MapiExceptionShutoffQuotaExceeded | mailbox-full",
            "Microsoft | 550 | 5.7.509 | Access denied, sending domain example.com does not pass DMARC verification and has a DMARC policy of reject. | authentication",
            "Microsoft | 550 | 5.7.350 | Remote server returned message detected as spam | spam",
            "Microsoft | 552 | 5.3.4 | Message size exceeds fixed maximum message size | message-too-large",
            "Microsoft | 451 | 4.4.4 | Mail received as unauthenticated, incoming to a recipient domain configured in a hosted tenant which has no mail-enabled subscriptions. | authentication",
            "Microsoft | 550 | 5.7.520 | Access denied, Your organization does not allow external forwarding. | policy",
            // Yahoo and AOL
            "Yahoo     | 421 | 4.7.0 | [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user complaints - 4.16.55.1; see https://postmaster.yahooinc.com/error-codes | rate-limit",
            "Yahoo     | 421 | 4.7.0 | [TSS09] All messages from 192.0.2.1 will be permanently deferred; Retrying will NOT succeed. See https://postmaster.yahooinc.com/error-codes | reputation",
            "Yahoo     | 553 | 5.7.1 | [BL21] Connections will not be accepted from 192.0.2.1, because the ip is in Spamhaus's list; see https://postmaster.yahooinc.com/error-codes | reputation",
            "Yahoo     | 553 | 5.7.1 | [BL23] Connections not accepted from IP addresses on Spamhaus XBL; see https://postmaster.yahooinc.com/error-codes | reputation",
            "Yahoo     | 554 | 5.7.9 | Message not accepted for policy reasons.  See https://postmaster.yahooinc.com/error-codes | policy",
            "Yahoo     | 552 |       | 1 Requested mail action aborted, mailbox not found | bad-mailbox",
            "Yahoo     | 554 |       | delivery error: dd This user doesn't have a yahoo.com account (someone@yahoo.com) [0] - mta1234.mail.gq1.yahoo.com | bad-mailbox",
            "Yahoo     | 554 |       | delivery error: dd Sorry your message to someone@yahoo.com cannot be delivered. This mailbox is disabled (554.30). - mta1234.mail.gq1.yahoo.com | inactive-mailbox",
            "Yahoo     | 421 | 4.7.0 | [GL01] Message from (192.0.2.1) temporarily deferred - 4.16.50. Please refer to https://postmaster.yahooinc.com/error-codes | rate-limit",
            "Yahoo     | 550 | 5.7.9 | This mail has been blocked because the sender is unauthenticated. Yahoo requires all senders to authenticate with either SPF or DKIM. | authentication",
            "Yahoo     | 451 |       | Message temporarily deferred due to unresolvable RFC.5321 from domain; see https://postmaster.yahooinc.com/error-codes | dns",
            "Yahoo     | 552 |       | Message size exceeds maximum permitted | message-too-large",
            // Apple (iCloud), which publishes its codes with Proofpoint's
            "Apple     | 550 | 5.1.1 | <someone@icloud.com>: user does not exist | bad-mailbox",
            "Apple     | 554 | 5.7.1 | [CS01] Message rejected due to local policy. Please visit https://support.apple.com/en-us/HT204137 | policy",
            "Apple     | 550 | 5.7.0 | Blocked - see https://support.proofpoint.com/dnsbl-lookup.cgi?ip=192.0.2.1 | reputation",
            "Apple     | 552 | 5.2.2 | <someone@icloud.com>: user is over quota | mailbox-full",
            // GMX and Web.de (1&1)
            "GMX       | 550 |       | Requested action not taken: mailbox unavailable | bad-mailbox",
            "GMX       | 554 |       | Transaction failed. Reject due to policy restrictions. For explanation visit https://postmaster.gmx.net/en/case?c=hi&i=ip&v=192.0.2.1&r=1MxyZ | policy",
            "GMX       | 554 |       | IP address is black listed | reputation",
            "Web.de    | 550 |       | Sender address has null MX | bad-domain",
            // Orange
            "Orange    | 421 |       | mwinf5c13 ME Service refuse. Veuillez essayer plus tard. Service refused, please try later. OFR_999 [999] | rate-limit",
            "Orange    | 550 | 5.1.1 | Adresse d au moins un destinataire invalide. Invalid recipient. OFR_416 [416] | bad-mailbox",
            "Orange    | 552 | 5.1.1 | Boite du destinataire pleine. Recipient overquota. OFR_417 [417] | mailbox-full",
            // Comcast
            "Comcast   | 554 |       | resimta-ch2-18v.sys.comcast.net resimta-ch2-18v.sys.comcast.net 192.0.2.1 found on one or more DNSBLs, see http://postmaster.comcast.net/smtp-error-codes.php#BL000001 | reputation",
            "Comcast   | 421 |       | resimta-po-12v.sys.comcast.net too many sessions from 192.0.2.1, see http://postmaster.comcast.net/smtp-error-codes.php#RL000001 | rate-limit",
            "Comcast   | 551 | 5.1.1 | not our customer | bad-mailbox",
            // Generic MTAs (Postfix, Exim, Sendmail, filters)
            "Postfix   | 550 | 5.1.1 | <someone@example.org>: Recipient address rejected: User unknown in virtual mailbox table | bad-mailbox",
            "Postfix   | 450 | 4.1.8 | <bounces@example.com>: Sender address rejected: Domain not found | dns",
            "Postfix   | 554 | 5.7.1 | <someone@example.org>: Relay access denied | routing",
            "Postgrey  | 450 | 4.2.0 | <someone@example.org>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/example.org.html | policy",
            "Exim      | 550 |       | Unrouteable address | bad-mailbox",
            "Sendmail  | 553 | 5.1.3 | Bad recipient address syntax | bad-mailbox",
            "Sendmail  | 500 | 5.5.1 | Command unrecognized: \"XYZZY\" | protocol",
            "Sendmail  | 503 | 5.5.1 | Bad sequence of commands | protocol",
            "Generic   | 554 | 5.4.6 | Routing loop detected | routing",
            "Generic   | 550 | 5.2.1 | Mailbox disabled, not accepting messages | inactive-mailbox",
            "Generic   | 552 | 5.2.3 | Message length exceeds administrative limit | message-too-large",
            "Generic   | 554 | 5.6.0 | Message contains invalid header | content",
            "Generic   | 550 | 5.7.1 | Message rejected: a virus was found (Eicar-Test-Signature) | content",
            "Generic   | 554 | 5.7.1 | Message blocked due to URL found on URIBL | spam",
            "Generic   | 550 | 5.7.1 | Message rejected as spam by Content Filtering. | spam",
            "Generic   | 554 | 5.7.1 | Rejected: SPF fail for example.com | authentication",
            "Generic   | 550 | 5.1.2 | Host unknown | bad-domain",
            "Generic   | 451 | 4.3.5 | Server configuration problem | other",
            "Generic   | 550 | 5.7.1 | Sender denied | policy",
    })
    void aDocumentedReplyGetsItsCategory(String provider, int code, String status, String text, String category) throws Exception {
        assertThat(BounceRules.shipped().categorize(reply(code, status == null ? "" : status, text)))
                .as(provider).map(BounceCategory::json).contains(category);
    }

    @Test
    void anAcceptedAttemptHasNoCategory() throws Exception {
        var accepted = new Attempt(AttemptState.MESSAGE, AttemptResult.ACCEPTED, NOW, Optional.empty(), Optional.empty(),
                Optional.empty(), OptionalInt.of(250), Optional.of("2.0.0"), "queued");
        assertThat(BounceRules.shipped().categorize(accepted)).isEmpty();
    }

    @ParameterizedTest(name = "{0} {1} -> {3}")
    @CsvSource(delimiter = '|', value = {
            "CONNECT | TIMEOUT | connect to 198.51.100.7 timed out              | timeout",
            "INTRO   | TIMEOUT | no greeting within 300 s                       | timeout",
            "CONNECT | ERROR   | Connection refused                             | routing",
            "DNS     | ERROR   | cannot resolve example.org: SERVFAIL           | dns",
            "HANDSHAKE | ERROR | cannot start TLS with mx.example.org: handshake failure | tls",
            "MESSAGE | LOST    | the connection was lost waiting for the reply  | protocol",
            "PROCESS | TIMEOUT | its maxdelivertime 2026-11-29 10:00:00 has passed | timeout",
    })
    void anAttemptWithoutAReplyGetsTheCategoryOfItsStep(AttemptState state, AttemptResult result, String text, String category) {
        var attempt = Attempt.local(state, result, NOW, text);
        assertThat(BounceRules.shipped().categorize(attempt)).map(BounceCategory::json).contains(category);
    }

    @ParameterizedTest(name = "{0} {1} {2} {3} -> {4}")
    @CsvSource(delimiter = '|', value = {
            // STARTTLS refused: about TLS whatever the code, unless its words say what else it is
            "STARTTLS  | 454 | 4.7.0 | TLS not available due to temporary reason | tls",
            "STARTTLS  | 454 |       | TLS not available                          | tls",
            "STARTTLS  | 502 | 5.5.1 | command not implemented                    | tls",
            "STARTTLS  | 421 | 4.7.0 | Too many concurrent SMTP connections       | rate-limit",
            // the same replies at other steps keep the generic rules
            "RCPTTO    | 454 | 4.7.0 | TLS not available due to temporary reason  | rate-limit",
            "AUTHPLAIN | 454 | 4.7.0 | Temporary authentication failure           | authentication",
            "MAILFROM  | 421 | 4.3.2 | bye                                        | rate-limit",
    })
    void aRefusalAtTheStarttlsStepIsAboutTls(AttemptState state, int code, String status, String text, String category)
            throws Exception {
        var attempt = new Attempt(state, AttemptResult.ERROR, NOW, Optional.of(InetAddress.getByName("192.0.2.1")),
                Optional.empty(), Optional.empty(), OptionalInt.of(code), Optional.ofNullable(status), text);

        assertThat(BounceRules.shipped().categorize(attempt)).map(BounceCategory::json).contains(category);
    }

    @Test
    void aMessageTooLargeForTheServersSizeIsMessageTooLarge() {
        var refused = new Attempt(AttemptState.MAILFROM, AttemptResult.ERROR, NOW, Optional.empty(), Optional.empty(),
                Optional.empty(), OptionalInt.empty(), Optional.of("5.3.4"),
                "message of 289 bytes is larger than the 100 bytes mx.example.org [192.0.2.1]:25 accepts (SIZE)");

        assertThat(BounceRules.shipped().categorize(refused)).map(BounceCategory::json).contains("message-too-large");
    }

    @Test
    void aHostileReplyAndAHostileRuleAreHandledInBoundedTime() throws Exception {
        // A catastrophically backtracking expression (nested quantifiers) against a long run of
        // what it almost matches, and a 100 KB reply text: both must end quickly, without a match.
        var hostileRule = BounceRules.parse(List.of("spam\t\t\t(a+)+$\thostile"), "test");
        var text = "a".repeat(1_500) + "!" + "b".repeat(100_000);
        long started = System.nanoTime();
        var category = hostileRule.before(BounceRules.shipped()).categorize(reply(550, "5.7.1", text));
        var took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(category).map(BounceCategory::json).contains("policy");
        assertThat(took).isLessThan(Duration.ofSeconds(2));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "spam-ish\t\t\tx\tsource | line 1: category: 'spam-ish' is not a bounce category",
            "spam\t5555\t\tx\tsource | line 1: code: '5555' is not a reply code",
            "spam\t6\t\tx\tsource    | line 1: code: '6' is not a reply code",
            "spam\t99\t\tx\tsource   | line 1: code: '99' is not a reply code",
            "spam\t\t5.7.x\t\tsource | line 1: status: '5.7.x' is not an enhanced status code",
            "spam\t\t\t(unclosed\tsource | line 1: text: not a valid regular expression",
            "spam\t\t\t\tsource       | line 1: a rule needs a code, a status or a text",
            "spam\t550               | line 1: expected 5 tab-separated fields",
    })
    void aBadRuleIsRefusedNamingTheLineAndThePart(String line, String error) {
        assertThatThrownBy(() -> BounceRules.parse(List.of(line.replace("\\t", "\t").strip()), "rules"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("rules " + error);
    }

    @Test
    void theShippedRulesLoad() {
        assertThat(BounceRules.shipped().size()).isGreaterThan(40);
    }
}
