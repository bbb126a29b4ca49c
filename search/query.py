"""What a visitor typed, made safe to search for: words and "quoted phrases", nothing else."""

import re
import unicodedata
from dataclasses import dataclass

from search.text import INVISIBLE_RE, WORD_RE, fold

MAX_QUERY_LENGTH = 200  # characters; longer queries are cut
MAX_TERMS = 10  # words and phrases searched for; the rest are ignored
MAX_PHRASE_WORDS = 8  # words of one phrase; the rest of it is ignored

QUOTES = str.maketrans(dict.fromkeys("“”„‟″«»", '"'))
PHRASE_RE = re.compile(r'"([^"]*)"')

# PostgreSQL's English stop words (tsearch_data/english.stop), left out on both
# databases so that "the", "or" and the like behave the same on each.
ENGLISH_STOP_WORDS = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his
    himself she her hers herself it its itself they them their theirs themselves what which
    who whom this that these those am is are was were be been being have has had having do
    does did doing a an the and but if or because as until while of at by for with about
    against between into through during before after above below to from up down in out on
    off over under again further then once here there when where why how all any both each
    few more most other some such no nor not only own same so than too very s t can will
    just don should now
"""
STOP_WORDS = frozenset(ENGLISH_STOP_WORDS.split())

# PostgreSQL's Spanish stop words (tsearch_data/spanish.stop): its `spanish`
# configuration leaves them out of Spanish documents' search, so SQLite's search of
# their stems does too (accents folded, as the query's words are).
SPANISH_STOP_WORDS = """
    de la que el en y a los del se las por un para con no una su al lo como más pero sus
    le ya o este sí porque esta entre cuando muy sin sobre también me hasta hay donde
    quien desde todo nos durante todos uno les ni contra otros ese eso ante ellos e esto
    mí antes algunos qué unos yo otro otras otra él tanto esa estos mucho quienes nada
    muchos cual poco ella estar estas algunas algo nosotros mi mis tú te ti tu tus ellas
    nosotras vosostros vosostras os mío mía míos mías tuyo tuya tuyos tuyas suyo suya
    suyos suyas nuestro nuestra nuestros nuestras vuestro vuestra vuestros vuestras esos
    esas estoy estás está estamos estáis están esté estés estemos estéis estén estaré
    estarás estará estaremos estaréis estarán estaría estarías estaríamos estaríais
    estarían estaba estabas estábamos estabais estaban estuve estuviste estuvo estuvimos
    estuvisteis estuvieron estuviera estuvieras estuviéramos estuvierais estuvieran
    estuviese estuvieses estuviésemos estuvieseis estuviesen estando estado estada
    estados estadas estad he has ha hemos habéis han haya hayas hayamos hayáis hayan
    habré habrás habrá habremos habréis habrán habría habrías habríamos habríais habrían
    había habías habíamos habíais habían hube hubiste hubo hubimos hubisteis hubieron
    hubiera hubieras hubiéramos hubierais hubieran hubiese hubieses hubiésemos hubieseis
    hubiesen habiendo habido habida habidos habidas soy eres es somos sois son sea seas
    seamos seáis sean seré serás será seremos seréis serán sería serías seríamos seríais
    serían era eras éramos erais eran fui fuiste fue fuimos fuisteis fueron fuera fueras
    fuéramos fuerais fueran fuese fueses fuésemos fueseis fuesen sintiendo sentido
    sentida sentidos sentidas siente sentid tengo tienes tiene tenemos tenéis tienen
    tenga tengas tengamos tengáis tengan tendré tendrás tendrá tendremos tendréis
    tendrán tendría tendrías tendríamos tendríais tendrían tenía tenías teníamos teníais
    tenían tuve tuviste tuvo tuvimos tuvisteis tuvieron tuviera tuvieras tuviéramos
    tuvierais tuvieran tuviese tuvieses tuviésemos tuvieseis tuviesen teniendo tenido
    tenida tenidos tenidas tened
"""
SPANISH_STOPS = frozenset(fold(word) for word in SPANISH_STOP_WORDS.split())


@dataclass(frozen=True)
class Query:
    text: str  # what was typed, cleaned and cut to length: shown back on the page
    terms: tuple  # what is searched for: each a tuple of words, one word or a phrase
    shortened: bool = False


def words(text):
    """Return the searchable words of text, lower case and without accents."""
    return [fold(word.lower()) for word in WORD_RE.findall(text)]


def word_terms(text):
    return [(word,) for word in words(text) if word not in STOP_WORDS]


def phrase_terms(text):
    found = words(text)[:MAX_PHRASE_WORDS]
    if not any(word not in STOP_WORDS for word in found):
        return []
    return [tuple(found)] if len(found) > 1 else [(found[0],)]


def parse_query(raw):
    """Return the Query for what a visitor typed: words and "quoted phrases", nothing else.

    Every term is later quoted as a plain string, so FTS or SQL syntax in the input
    (*, OR, NEAR(, quotes, semicolons) is only ever searched for as words, or dropped.
    """
    text = unicodedata.normalize("NFKC", INVISIBLE_RE.sub(" ", raw[: MAX_QUERY_LENGTH * 4]))
    text = " ".join(text.translate(QUOTES).split())
    shortened = len(text) > MAX_QUERY_LENGTH
    text = text[:MAX_QUERY_LENGTH].strip()
    terms, position = [], 0
    for phrase in PHRASE_RE.finditer(text):
        terms += word_terms(text[position : phrase.start()]) + phrase_terms(phrase.group(1))
        position = phrase.end()
    terms += word_terms(text[position:])
    return Query(text, tuple(dict.fromkeys(terms))[:MAX_TERMS], shortened)
