"""The statistics page's own words in every site language, and the labels of the codes it shows.

Code labels for grounds, forms and life areas come from the site's gettext catalogs; the words
only this page uses live here, so the page works in every language without touching the catalogs.
"""

from functools import cache

from babel.support import NullTranslations

from intake.site import labels
from intake.site.i18n import load_translations

TEXTS: dict[str, dict[str, str]] = {
    "title": {
        "de": "Statistik: Meldungen pro Monat", "en": "Statistics: reports per month", "tr": "İstatistik: aylık bildirimler",
        "ar": "إحصاءات: البلاغات شهريًا", "bg": "Статистика: сигнали по месеци", "ro": "Statistici: sesizări pe lună",
        "de-x-ls": "Zahlen: So viele Meldungen gab es jeden Monat",
    },
    "intro": {
        "de": "So viele Meldungen über Diskriminierung hat die Antidiskriminierungsstelle erhalten. Wir zeigen nur abgeschlossene Monate.",
        "en": "How many reports of discrimination the anti-discrimination office received. Only closed months are shown.",
        "tr": "Ayrımcılıkla Mücadele Ofisi'ne ulaşan ayrımcılık bildirimlerinin sayısı. Yalnızca tamamlanmış aylar gösterilir.",
        "ar": "عدد بلاغات التمييز التي تلقاها مكتب مناهضة التمييز. تُعرض الأشهر المنتهية فقط.",
        "bg": "Колко сигнала за дискриминация е получила службата срещу дискриминация. Показваме само приключили месеци.",
        "ro": "Câte sesizări de discriminare a primit biroul antidiscriminare. Sunt afișate doar lunile încheiate.",
        "de-x-ls": "Hier steht: So viele Menschen haben uns Diskriminierung gemeldet. Wir zeigen nur Monate, die vorbei sind.",
    },
    "latest": {
        "de": "Neuester Monat", "en": "Latest month", "tr": "En son ay", "ar": "أحدث شهر", "bg": "Последен месец",
        "ro": "Cea mai recentă lună", "de-x-ls": "Der letzte Monat",
    },
    "total": {
        "de": "Meldungen insgesamt", "en": "Reports in total", "tr": "Toplam bildirim", "ar": "مجموع البلاغات",
        "bg": "Сигнали общо", "ro": "Sesizări în total", "de-x-ls": "Alle Meldungen zusammen",
    },
    "trend": {
        "de": "Die letzten 12 Monate", "en": "The last 12 months", "tr": "Son 12 ay", "ar": "آخر 12 شهرًا",
        "bg": "Последните 12 месеца", "ro": "Ultimele 12 luni", "de-x-ls": "Die letzten 12 Monate",
    },
    "grounds": {
        "de": "Nach Merkmal", "en": "By ground", "tr": "Gerekçeye göre", "ar": "حسب السبب", "bg": "По признак",
        "ro": "După criteriu", "de-x-ls": "Warum wurden die Menschen diskriminiert?",
    },
    "forms": {
        "de": "Nach Form", "en": "By form", "tr": "Biçime göre", "ar": "حسب الشكل", "bg": "По форма", "ro": "După formă",
        "de-x-ls": "Was ist passiert?",
    },
    "life_area": {
        "de": "Nach Lebensbereich", "en": "By area of life", "tr": "Yaşam alanına göre", "ar": "حسب مجال الحياة",
        "bg": "По сфера на живота", "ro": "După domeniul vieții", "de-x-ls": "Wo ist es passiert?",
    },
    "district": {
        "de": "Nach Stadtbezirk", "en": "By district", "tr": "İlçeye göre", "ar": "حسب المنطقة", "bg": "По район",
        "ro": "După district", "de-x-ls": "In welchem Stadt-Teil?",
    },
    "reporter_role": {
        "de": "Nach meldender Person", "en": "By who reported", "tr": "Bildirenin rolüne göre", "ar": "حسب صفة المُبلِّغ",
        "bg": "Според подалия сигнала", "ro": "După cine a sesizat", "de-x-ls": "Wer hat die Meldung gemacht?",
    },
    "category": {
        "de": "Kategorie", "en": "Category", "tr": "Kategori", "ar": "الفئة", "bg": "Категория", "ro": "Categorie",
        "de-x-ls": "Art",
    },
    "count": {
        "de": "Anzahl", "en": "Count", "tr": "Sayı", "ar": "العدد", "bg": "Брой", "ro": "Număr", "de-x-ls": "Anzahl",
    },
    "month": {"de": "Monat", "en": "Month", "tr": "Ay", "ar": "الشهر", "bg": "Месец", "ro": "Luna", "de-x-ls": "Monat"},
    "suppressed": {
        "de": "„.“ = Zahl geheim gehalten: Sie ist kleiner als {threshold} oder würde eine kleine Zahl verraten. So kann niemand erkannt werden.",
        "en": "\".\" = number withheld: it is below {threshold} or would reveal a small number. This way nobody can be identified.",
        "tr": "\".\" = sayı gizlendi: {threshold} sayısından küçüktür ya da küçük bir sayıyı ortaya çıkarırdı. Böylece kimse tanınamaz.",
        "ar": "\".\" = رقم محجوب: إنه أقل من {threshold} أو قد يكشف رقمًا صغيرًا. وبهذا لا يمكن التعرّف على أي شخص.",
        "bg": "„.“ = числото е скрито: то е под {threshold} или би разкрило малко число. Така никой не може да бъде разпознат.",
        "ro": "„.” = număr ascuns: este sub {threshold} sau ar dezvălui un număr mic. Astfel nimeni nu poate fi identificat.",
        "de-x-ls": "Ein Punkt „.“ heißt: Die Zahl ist geheim. Sie ist sehr klein. Dann könnte man sonst erkennen, wer gemeldet hat.",
    },
    "multiple": {
        "de": "Eine Meldung kann mehrere Merkmale und Formen nennen; diese Zahlen ergeben zusammen mehr als die Gesamtzahl.",
        "en": "A report may name several grounds and forms, so these numbers can add up to more than the total.",
        "tr": "Bir bildirim birden fazla gerekçe ve biçim içerebilir; bu nedenle bu sayıların toplamı genel toplamdan fazla olabilir.",
        "ar": "قد يذكر البلاغ الواحد عدة أسباب وأشكال، لذلك قد يزيد مجموع هذه الأرقام على المجموع الكلي.",
        "bg": "Един сигнал може да посочва няколко признака и форми, затова сборът може да е по-голям от общия брой.",
        "ro": "O sesizare poate menționa mai multe criterii și forme, de aceea suma poate depăși totalul.",
        "de-x-ls": "In einer Meldung können mehrere Gründe stehen. Darum sind diese Zahlen zusammen mehr als alle Meldungen.",
    },
    "classification": {
        "de": "Merkmal, Form und Lebensbereich: die Einordnung der Beratungsstelle, wenn es sie gibt, sonst die Angaben der meldenden Person. Stadtbezirk und meldende Person: die Angaben der meldenden Person. Spam, doppelte und nicht zuständige Meldungen sowie gelöschte Meldungen werden nicht gezählt. Monat = Monat des Eingangs.",
        "en": "Ground, form and area of life: the office's classification where there is one, otherwise the reporter's own answers. District and who reported: the reporter's answers. Spam, duplicates, reports outside the office's remit and deleted reports are not counted. Month = month the report was received.",
        "tr": "Gerekçe, biçim ve yaşam alanı: varsa ofisin sınıflandırması, yoksa bildiren kişinin yanıtları. İlçe ve bildirenin rolü: bildiren kişinin yanıtları. Spam, mükerrer, ofisin yetkisi dışındaki ve silinmiş bildirimler sayılmaz. Ay = bildirimin alındığı ay.",
        "ar": "السبب والشكل ومجال الحياة: تصنيف المكتب إن وُجد، وإلا إجابات المُبلِّغ. المنطقة وصفة المُبلِّغ: إجابات المُبلِّغ. لا تُحتسب الرسائل المزعجة والبلاغات المكررة وغير المختصة والمحذوفة. الشهر = شهر استلام البلاغ.",
        "bg": "Признак, форма и сфера на живота: класификацията на службата, ако има такава, иначе отговорите на подалия сигнала. Район и кой е подал сигнала: отговорите на подалия сигнала. Спам, дублирани, извън компетентността и изтрити сигнали не се броят. Месец = месецът на получаване.",
        "ro": "Criteriu, formă și domeniul vieții: clasificarea biroului, dacă există, altfel răspunsurile persoanei care a sesizat. Districtul și cine a sesizat: răspunsurile persoanei. Spamul, duplicatele, sesizările din afara competenței și cele șterse nu sunt numărate. Luna = luna primirii sesizării.",
        "de-x-ls": "Wir zählen so: Die Beratungs-Stelle prüft jede Meldung. Wenn sie etwas einordnet, zählen wir das. Sonst zählen wir, was die Person geschrieben hat. Wir zählen keine falschen oder doppelten Meldungen.",
    },
    "downloads": {
        "de": "Daten herunterladen", "en": "Download the data", "tr": "Verileri indir", "ar": "تنزيل البيانات",
        "bg": "Изтегляне на данните", "ro": "Descărcați datele", "de-x-ls": "Die Zahlen als Datei",
    },
    "none": {
        "de": "Es sind noch keine Monate veröffentlicht.", "en": "No month has been published yet.",
        "tr": "Henüz yayımlanmış bir ay yok.", "ar": "لم يُنشر أي شهر بعد.", "bg": "Все още няма публикуван месец.",
        "ro": "Nicio lună nu a fost publicată încă.", "de-x-ls": "Es gibt noch keine Zahlen.",
    },
    "hidden_month": {
        "de": "In diesem Monat gab es sehr wenige Meldungen. Darum zeigen wir keine Zahlen.",
        "en": "There were very few reports this month, so no numbers are shown.",
        "tr": "Bu ay çok az bildirim vardı, bu yüzden sayı gösterilmiyor.",
        "ar": "كانت البلاغات في هذا الشهر قليلة جدًا، لذلك لا تُعرض أي أرقام.",
        "bg": "Този месец сигналите бяха много малко, затова не показваме числа.",
        "ro": "Luna aceasta au fost foarte puține sesizări, de aceea nu afișăm cifre.",
        "de-x-ls": "In diesem Monat gab es nur sehr wenige Meldungen. Darum zeigen wir keine Zahlen.",
    },
    "not_stated": {
        "de": "Keine Angabe", "en": "Not stated", "tr": "Belirtilmemiş", "ar": "غير مذكور", "bg": "Не е посочено",
        "ro": "Nespecificat", "de-x-ls": "Keine Angabe",
    },
    "affected": {
        "de": "Betroffene Person", "en": "Affected person", "tr": "Mağdur kişi", "ar": "الشخص المتضرر", "bg": "Засегнато лице",
        "ro": "Persoana afectată", "de-x-ls": "Die Person selbst",
    },
    "witness": {
        "de": "Zeugin oder Zeuge", "en": "Witness", "tr": "Tanık", "ar": "شاهد", "bg": "Свидетел", "ro": "Martor",
        "de-x-ls": "Jemand hat es gesehen",
    },
    "on_behalf": {
        "de": "Für eine andere Person", "en": "On behalf of someone", "tr": "Başkası adına", "ar": "نيابةً عن شخص آخر",
        "bg": "От името на друг", "ro": "În numele altcuiva", "de-x-ls": "Für eine andere Person",
    },
    "home": {
        "de": "Zur Startseite", "en": "Home", "tr": "Ana sayfa", "ar": "الصفحة الرئيسية", "bg": "Начална страница",
        "ro": "Pagina principală", "de-x-ls": "Zur Start-Seite",
    },
}  # fmt: skip

_CODE_LABELS = {"grounds": labels.GROUNDS, "forms": labels.FORMS, "life_area": labels.LIFE_AREAS, "district": labels.DISTRICTS}


def text(key: str, tag: str, **values: object) -> str:
    """One of the page's own texts in a site language (German when a language lacks it)."""
    wording = TEXTS[key].get(tag) or TEXTS[key]["de"]
    return wording.format(**values) if values else wording


@cache
def _catalog(tag: str) -> NullTranslations:
    try:
        return load_translations(tag)
    except FileNotFoundError:  # a language whose catalog is not written yet shows the English label
        return NullTranslations()


def code_label(dimension: str, code: str, tag: str) -> str:
    """The label of a code in a site language."""
    if code in TEXTS:
        return text(code, tag)
    return _catalog(tag).gettext(_CODE_LABELS[dimension][code])
