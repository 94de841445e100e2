"""Build pipeline/blameless/world_first_names.txt: first names from many languages for the blameless check.

The check reads a capitalized first name as a person ("because Mirela deleted the target group"). Its lists were
English and US-census names, so a blame sentence naming Mirela, Teodor, Solveig or Kofi passed. This script takes
the first names of Faker's person providers (MIT licence) in every locale that writes them in Latin letters, and
keeps those no other list has, less:
- English words and word forms (lemminflect's lexicon, lower case): "Grace", "Hunter", "Dawn";
- capitalized lexicon entries (places, months, nationalities, surnames, brands): "January", "Paris", "Mercedes",
  but for the given names in KEEP;
- English function words (spaCy's stop words, which the lexicon lacks): "Among";
- month and day abbreviations, names shorter than three letters;
- TECH_AND_PLACES: names of software, cloud products and data-centre places that incidents mention ("Loki",
  "Athena", "Okta", "Valencia").

Run once after changing the lists (faker is not a dependency of the project):
    pip install faker==40.63.0 lemminflect spacy
    .venv/bin/python evals/blameless/build_world_names.py
"""

from __future__ import annotations

import gzip
import importlib
import pkgutil
import unicodedata
from pathlib import Path

import faker.providers.person as person_providers
import lemminflect
from spacy.lang.en.stop_words import STOP_WORDS

ROOT = Path(__file__).resolve().parents[2]
NAMES_DIR = ROOT / "pipeline" / "blameless"
OUT = NAMES_DIR / "world_first_names.txt"
ABBREVIATIONS = set(
    "Mon Tue Tues Wed Thu Thur Thurs Fri Sat Sun Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec".split()
)
KEEP = set(
    "Abbas Adolf Ephraim Ernst Eugene Franz Giles Gunther Heinrich Henri Ignatius Johann Johannes Leonid Leopold "
    "Linus Ludwig Mahdi Manfred Muhammad Oswald Percival Reinhold Sigmund Waldemar Wilhelm Leander Bartholomew".split()
)
TECH_AND_PLACES = set(
    """Ada Apollo Athena Aurora Borg Cassandra Darwin Haskell Hermes Kata Lex Loki Luna Nim Odin Okta Pascal Phoenix
    Siri Thor Kafka Redis Jenkins Maven Helm Argo Consul Vault Atlas Juno Nova Artemis Zeus Tempo Mimir Freya Sentry
    Heroku Fastly Akamai Azure Alexa Cortana Oracle Django Flask Ruby Julia Elixir Erlang Dart Kotlin Swift Rust
    Lua Perl Scala Clojure Groovy Gradle Ansible Puppet Salt Pulumi Packer Nomad Envoy Istio Linkerd Traefik Caddy
    Jaeger Zipkin Kibana Logstash Grafana Prometheus Thanos Cortex Vector Falco Harbor Quay Flux Tekton Keda Velero
    Rook Ceph Minio Scylla Hive Spark Flink Storm Pulsar Celery Airflow Dagster Luigi Jupyter Sage Hugo Jekyll Gatsby
    Ember Angular Svelte Electron Deno Node Yarn Babel Jest Mocha Karma Cypress Selenium Appium Splunk Jira Trello
    Asana Notion Slack Zoom Stripe Adyen Klarna Twilio Linode Vultr Varnish Squid Apache Tomcat Jetty Spring
    Docker Mesos Marathon Chronos Glue Neptune Kinesis Lambda Macie Polly Mercury Gemini Claude Bard Llama Mistral
    Falcon Orca Calico Cilium Kong Nexus Sonar Snyk Trivy Clair Copilot Cursor Eclipse Debian Ubuntu Fedora Alpine
    Centos Rocky Alma Sierra Monterey Ventura Sonoma Sequoia Mojave Catalina Tahoe Yosemite Lima Quito Bogota Accra
    Dakar Tunis Rabat Oslo Sofia Porto Lisbon Madrid Sevilla Milan Turin Naples Geneva Lyon Nice Vienna Riga
    Tallinn Vilnius Warsaw Prague Budapest Athens Helsinki Stockholm Dublin Frankfurt Tokyo Seoul Mumbai Jakarta
    Santiago Toronto Montreal Vancouver Cairo Bahrain Ohio Oregon Virginia Georgia Carolina Angeles Alpha Ares Azul
    Dex Etna Gaia Gorm Hera Neo Peta Sol Dev Min Max Mac Doc Meta Lexus Porsche Gerrit""".split()
)

# Given names Faker's providers lack (their locales write them in other scripts, or have none), from cultures the
# blind-written eval sentences name: West, East and Southern African, Central Asian, Pacific, Hebrew, Korean and
# Chinese romanized as one word, Arabic, Persian, South and Southeast Asian (added 2026-12-06, when "Had Keala ...",
# "Nkechi's hotfix", "Gulnara's idea of monitoring" passed the check).
EXTRA = set(
    """Nkechi Adaeze Chinonso Chukwuemeka Ifeanyi Oluwaseun Olumide Folake Funmilayo Yetunde Temitope Babajide
    Kayode Tunde Segun Bisola Fatoumata Awa Aissatou Mariama Kadiatou Oumar Seydou Boubacar Moussa Kofi Kwabena
    Akosua Abena Efua Yaw Kwaku Esi Wanjiru Wambui Njeri Kamau Otieno Achieng Akinyi Abebe Tesfaye Selam Meron
    Hailu Mekdes Lwazi Bongani Sibusiso Thabo Lerato Nomvula Zanele Themba Palesa Refilwe Gulnara Aigerim Aizhan
    Nursultan Yerlan Dauren Bakhyt Zarina Dilnoza Farrukh Bekzod Shakhzod Gulnoza Madina Keala Moana Kainoa
    Makoa Leilani Noelani Kalani Wiremu Aroha Hemi Mere Rangi Sione Losana Mele Tevita Semisi Salote Eitan
    Noam Yael Tamar Avital Itai Yonatan Shira Oded Amit Liora Gilad Ofer Jiwoo Minjun Seojun Jihoon Hyunwoo
    Jiyeon Minji Soyeon Eunji Jisoo Yejin Dongwoo Sungmin Youssef Yousef Khalid Tariq Layla Rania Nour Samir
    Karim Walid Bilal Hamza Faisal Nasser Amal Salma Dalia Yasmin Dariush Kaveh Shirin Parisa Babak Nima Roya
    Farid Priyanka Ananya Aditya Rohan Arjun Kavya Lakshmi Sandeep Harpreet Gurpreet Manpreet Navjot Sunita
    Nandini Ishaan Tanvi Shreya Siddharth Vikram Thanh Huong Linh Tuan Phuong Siti Putri Budi Agus Dewi Wayan
    Ketut Somchai Niran Kanya Malee Xiaoming Jiahui Haoran Zihan Yutong Zhiwei Xinyi Wenjun Haruto Sota Yuto
    Hina Yui Sakura Riku Kaito Aoi Takumi Daiki Shota Kenta Naoki Ayumi Misaki Ximena Itzel Citlali Xochitl
    Zbigniew Grzegorz Przemek Radoslaw Jaroslav Miroslav Oksana Yaroslav Bohdan Taras Olena""".split()
)


def faker_first_names() -> set[str]:
    """Every first name (male, female, nonbinary, romanized) of every Faker person provider, in Latin letters."""
    names: set[str] = set()
    for module in pkgutil.iter_modules(person_providers.__path__):
        provider = importlib.import_module(f"{person_providers.__name__}.{module.name}").Provider
        for attribute in dir(provider):
            if not attribute.startswith(("first_names", "first_romanized_names")):
                continue
            value = getattr(provider, attribute)
            for name in value.keys() if isinstance(value, dict) else value if isinstance(value, list | tuple) else ():
                if isinstance(name, str) and _latin_name(name):
                    names.add(name)
    return names


def _latin_name(name: str) -> bool:
    """One capitalized word of Latin letters: "Émilie", not "O'Neil", "Jean-Luc" or "伟"."""
    return (
        len(name) >= 3
        and name[0].isupper()
        and name[1:].islower()
        and all(unicodedata.name(char, "").startswith("LATIN") for char in name)
    )


def lexicon() -> tuple[set[str], set[str]]:
    """lemminflect's words and word forms: (lower-case ones, capitalized ones)."""
    lower: set[str] = set()
    capitalized: set[str] = set()
    resources = Path(lemminflect.__file__).parent / "resources"
    for name in ("infl_lu.csv.gz", "lemma_lu.csv.gz"):
        with gzip.open(resources / name, "rt", encoding="utf-8") as rows:
            for row in rows:
                fields = row.rstrip("\n").split(",")
                for word in [fields[0], *(form for field in fields[2:] for form in field.split("/"))]:
                    (lower if word.islower() else capitalized).add(word)
    return lower, capitalized


def listed_names() -> set[str]:
    """The names the check already reads (first_names.txt and census_first_names.txt)."""
    names: set[str] = set()
    for path in (NAMES_DIR / "first_names.txt", NAMES_DIR / "census_first_names.txt"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.startswith("#"):
                names.update(line.split())
    return names


def main() -> None:
    lower, capitalized = lexicon()
    keep = sorted(
        name
        for name in (faker_first_names() | EXTRA) - listed_names()
        if name.lower() not in lower | STOP_WORDS
        and (name not in capitalized or name in KEEP)
        and name not in ABBREVIATIONS | TECH_AND_PLACES
    )
    header = (OUT.read_text(encoding="utf-8").split("\n# ---\n")[0] + "\n# ---\n") if OUT.exists() else "# ---\n"
    lines = [" ".join(keep[i : i + 16]) for i in range(0, len(keep), 16)]
    OUT.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(keep)} names -> {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
