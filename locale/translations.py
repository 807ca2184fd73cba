"""The German and French texts of the built-in strings, filled into the .po catalogues.

Run ``python locale/translations.py`` after ``manage.py makemessages -l de -l fr`` and
before ``compilemessages``: it writes each msgstr below into both catalogues. (The .mo
files are committed, so a deployment needs no gettext tools.)
"""

from __future__ import annotations

import re
from pathlib import Path

DE_FR: dict[str, tuple[str, str]] = {
    "Payment reminder": ("Zahlungserinnerung", "Rappel de paiement"),
    "A friendly reminder": ("Eine freundliche Erinnerung", "Un rappel amical"),
    "Overdue account: payment required": (
        "Überfälliges Konto: Zahlung erforderlich",
        "Compte échu : paiement requis",
    ),
    "Final demand": ("Letzte Mahnung", "Mise en demeure"),
    "Balance due": ("Offener Saldo", "Solde dû"),
    "Total %(currency)s: %(amount)s": (
        "Summe %(currency)s: %(amount)s",
        "Total %(currency)s : %(amount)s",
    ),
    "(no open items)": ("(keine offenen Posten)", "(aucune pièce ouverte)"),
    "See your open items, download copies, query an invoice or tell us when you will pay: "
    "%(url)s": (
        "Offene Posten ansehen, Kopien herunterladen, eine Rechnung beanstanden oder "
        "uns mitteilen, wann Sie zahlen: %(url)s",
        "Consultez vos pièces ouvertes, téléchargez des copies, contestez une facture "
        "ou indiquez-nous quand vous paierez : %(url)s",
    ),
    "Sir or Madam": ("Damen und Herren", "Madame, Monsieur"),
    "Credit Control": ("Forderungsmanagement", "Service recouvrement"),
    " and ": (" und ", " et "),
    "Document": ("Beleg", "Pièce"),
    "Date": ("Datum", "Date"),
    "Due date": ("Fällig am", "Échéance"),
    "Currency": ("Währung", "Devise"),
    "Remaining": ("Offen", "Restant dû"),
    "Why do you query this invoice?": (
        "Warum beanstanden Sie diese Rechnung?",
        "Pourquoi contestez-vous cette facture ?",
    ),
    "Invoices": ("Rechnungen", "Factures"),
    "I will pay by": ("Ich zahle bis", "Je paierai au plus tard le"),
    "Please tell us why you query this invoice.": (
        "Bitte nennen Sie uns den Grund Ihrer Beanstandung.",
        "Merci de nous dire pourquoi vous contestez cette facture.",
    ),
    "Choose the invoices and the date you will pay by.": (
        "Wählen Sie die Rechnungen und das Datum, bis zu dem Sie zahlen.",
        "Choisissez les factures et la date à laquelle vous paierez.",
    ),
    "Your account online": ("Ihr Konto online", "Votre compte en ligne"),
    "Tel.": ("Tel.", "Tél."),
    "To": ("An", "À"),
    "For the attention of %(name)s": ("z. Hd. %(name)s", "À l'attention de %(name)s"),
    "Account": ("Konto", "Compte"),
    "Final demand before further action": (
        "Letzte Mahnung vor weiteren Schritten",
        "Mise en demeure avant toute autre action",
    ),
    "Our reference:": ("Unser Zeichen:", "Notre référence :"),
    "Days overdue": ("Tage überfällig", "Jours de retard"),
    "No open items.": ("Keine offenen Posten.", "Aucune pièce ouverte."),
    "Total": ("Summe", "Total"),
    "Statement of account": ("Kontoauszug", "Relevé de compte"),
    "Open items on your account with %(name)s on %(day)s.": (
        "Offene Posten Ihres Kontos bei %(name)s am %(day)s.",
        "Pièces ouvertes de votre compte chez %(name)s au %(day)s.",
    ),
    "Please let us know at once if anything below is not as your records show.": (
        "Bitte teilen Sie uns umgehend mit, falls etwas nicht mit Ihren Unterlagen übereinstimmt.",
        "Merci de nous signaler sans délai toute différence avec vos écritures.",
    ),
    "Type": ("Art", "Type"),
    "Amount": ("Betrag", "Montant"),
    "Ageing": ("Altersstruktur", "Balance âgée"),
    "%(label)s days": ("%(label)s Tage", "%(label)s jours"),
    "In %(lcy)s": ("In %(lcy)s", "En %(lcy)s"),
    "and": ("und", "et"),
    "%(total)s %(lcy)s in all, at the rates of the documents": (
        "insgesamt %(total)s %(lcy)s zu den Kursen der Belege",
        "%(total)s %(lcy)s au total, aux cours des pièces",
    ),
    "There are no open items on your account. Thank you.": (
        "Auf Ihrem Konto sind keine Posten offen. Vielen Dank.",
        "Votre compte ne présente aucune pièce ouverte. Merci.",
    ),
    "Days overdue count from the due date to %(day)s. Payments and credit notes not yet "
    "allocated to an invoice are shown as open items with a negative remaining amount and "
    "reduce the balance.": (
        "Die Tage der Überfälligkeit zählen vom Fälligkeitsdatum bis zum %(day)s. Noch keiner "
        "Rechnung zugeordnete Zahlungen und Gutschriften erscheinen als offene Posten mit "
        "negativem Betrag und mindern den Saldo.",
        "Les jours de retard courent de l'échéance au %(day)s. Les paiements et avoirs non "
        "encore imputés figurent comme pièces ouvertes au montant négatif et réduisent le "
        "solde.",
    ),
    "Questions about this statement:": (
        "Fragen zu diesem Kontoauszug:",
        "Questions sur ce relevé :",
    ),
    "Your account": ("Ihr Konto", "Votre compte"),
    "Too many requests": ("Zu viele Anfragen", "Trop de requêtes"),
    "Please wait a minute and try again.": (
        "Bitte warten Sie eine Minute und versuchen Sie es erneut.",
        "Merci de patienter une minute et de réessayer.",
    ),
    "This link is not valid": ("Dieser Link ist nicht gültig", "Ce lien n'est pas valide"),
    "The link may have expired or been replaced. Please use the link in our latest email or "
    "letter, or contact us.": (
        "Der Link ist vielleicht abgelaufen oder ersetzt worden. Bitte verwenden Sie den Link "
        "aus unserer letzten E-Mail oder unserem letzten Brief, oder kontaktieren Sie uns.",
        "Le lien a peut-être expiré ou été remplacé. Utilisez le lien de notre dernier "
        "courriel ou courrier, ou contactez-nous.",
    ),
    "Your account, %(name)s": ("Ihr Konto, %(name)s", "Votre compte, %(name)s"),
    "as of": ("Stand", "au"),
    "Thank you. We have recorded your query and will look into it; we will not remind you "
    "of this invoice meanwhile.": (
        "Vielen Dank. Wir haben Ihre Beanstandung erfasst und prüfen sie; bis dahin mahnen "
        "wir diese Rechnung nicht.",
        "Merci. Nous avons enregistré votre contestation et l'examinons ; d'ici là, nous ne "
        "vous relancerons pas pour cette facture.",
    ),
    "Thank you. We have recorded the date you will pay by.": (
        "Vielen Dank. Wir haben Ihr Zahlungsdatum erfasst.",
        "Merci. Nous avons enregistré votre date de paiement.",
    ),
    "Open items": ("Offene Posten", "Pièces ouvertes"),
    "Status": ("Status", "Statut"),
    "Copy": ("Kopie", "Copie"),
    "Queried": ("Beanstandet", "Contestée"),
    "Payment promised": ("Zahlung zugesagt", "Paiement promis"),
    "Overdue": ("Überfällig", "Échue"),
    "Open": ("Offen", "Ouverte"),
    "Download": ("Herunterladen", "Télécharger"),
    "of which overdue": ("davon überfällig", "dont échu"),
    "Download your statement (PDF)": (
        "Kontoauszug herunterladen (PDF)",
        "Télécharger votre relevé (PDF)",
    ),
    "How to pay": ("So zahlen Sie", "Comment payer"),
    "Please quote this payment reference:": (
        "Bitte geben Sie diesen Verwendungszweck an:",
        "Merci d'indiquer cette référence de paiement :",
    ),
    "Pay now": ("Jetzt bezahlen", "Payer maintenant"),
    "Tell us when you will pay": (
        "Teilen Sie uns mit, wann Sie zahlen",
        "Indiquez-nous quand vous paierez",
    ),
    "Send": ("Senden", "Envoyer"),
    "Query an invoice": ("Rechnung beanstanden", "Contester une facture"),
    "Query %(number)s": ("%(number)s beanstanden", "Contester %(number)s"),
    "Nothing to query.": ("Nichts zu beanstanden.", "Rien à contester."),
    "Invoice": ("Rechnung", "Facture"),
    "Debit memo": ("Belastungsanzeige", "Note de débit"),
    "Credit note": ("Gutschrift", "Avoir"),
    "Payment": ("Zahlung", "Paiement"),
    # The self-service page's refusals (portal/services.py), shown to the customer.
    "Choose one or more of the open invoices listed.": (
        "Bitte wählen Sie eine oder mehrere der aufgeführten offenen Rechnungen.",
        "Choisissez une ou plusieurs des factures ouvertes listées.",
    ),
    "Only an invoice can be queried.": (
        "Nur eine Rechnung kann beanstandet werden.",
        "Seule une facture peut être contestée.",
    ),
    "This invoice is already being looked into.": (
        "Diese Rechnung wird bereits geprüft.",
        "Cette facture est déjà en cours d'examen.",
    ),
    "Choose the date you will pay by.": (
        "Bitte wählen Sie das Datum, bis zu dem Sie zahlen.",
        "Choisissez la date à laquelle vous paierez.",
    ),
}

ENTRY_RE = re.compile(r'^msgid ((?:".*"\n)+)msgstr ((?:".*"\n)+)', re.MULTILINE)


def _unquote(block: str) -> str:
    return "".join(line[1:-1] for line in block.strip("\n").split("\n")).replace('\\"', '"')


def _quote(text: str) -> str:
    return '"' + text.replace('"', '\\"') + '"\n'


def fill(path: Path, column: int) -> list[str]:
    """Write the translations into one catalogue; returns the msgids left untranslated."""
    missing = []

    def replace(m: re.Match) -> str:
        msgid = _unquote(m.group(1))
        if not msgid:
            return m.group(0)
        if msgid not in DE_FR:
            missing.append(msgid)
            return m.group(0)
        return f"msgid {m.group(1)}msgstr {_quote(DE_FR[msgid][column])}"

    text = path.read_text()
    text = text.replace("#, fuzzy\n", "")
    path.write_text(ENTRY_RE.sub(replace, text))
    return missing


if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    for column, language in enumerate(("de", "fr")):
        left = fill(here / language / "LC_MESSAGES" / "django.po", column)
        for msgid in left:
            print(f"{language}: no translation for {msgid!r}")  # noqa: T201
