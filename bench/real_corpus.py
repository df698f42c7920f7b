"""A corpus of real, long technical documents for the benchmarks (`--passages real`).

The documents are the reStructuredText and Markdown manuals that installed packages ship
(aiosmtpd's docs, scikit-learn's dataset descriptions, Streamlit's and FastAPI's reference
notes, ...): public text nobody here wrote, with long sections, tables, lists and code.
`real_sources(work)` copies the files this environment has into `work/real-docs/docs`
(missing ones are skipped; at least MIN_FILES must be found) and writes a sources file that
ingests them as one `doc` source. `QUESTIONS` are questions about them, in a user's words.
"""

from __future__ import annotations

import logging
import shutil
import sysconfig
from pathlib import Path

log = logging.getLogger(__name__)

MIN_FILES = 10
# Paths relative to site-packages; each is copied under a name that keeps its package.
FILES = (
    "aiosmtpd/docs/auth.rst",
    "aiosmtpd/docs/cli.rst",
    "aiosmtpd/docs/concepts.rst",
    "aiosmtpd/docs/controller.rst",
    "aiosmtpd/docs/handlers.rst",
    "aiosmtpd/docs/intro.rst",
    "aiosmtpd/docs/migrating.rst",
    "aiosmtpd/docs/NEWS.rst",
    "aiosmtpd/docs/proxyprotocol.rst",
    "aiosmtpd/docs/smtp.rst",
    "aiosmtpd/docs/testing.rst",
    "fastapi/.agents/skills/fastapi/SKILL.md",
    "numpy/ma/README.rst",
    "olefile/doc/API.md",
    "pyparsing/ai/best_practices.md",
    "sklearn/datasets/descr/breast_cancer.rst",
    "sklearn/datasets/descr/california_housing.rst",
    "sklearn/datasets/descr/covtype.rst",
    "sklearn/datasets/descr/diabetes.rst",
    "sklearn/datasets/descr/digits.rst",
    "sklearn/datasets/descr/iris.rst",
    "sklearn/datasets/descr/kddcup99.rst",
    "sklearn/datasets/descr/lfw.rst",
    "sklearn/datasets/descr/olivetti_faces.rst",
    "sklearn/datasets/descr/rcv1.rst",
    "sklearn/datasets/descr/twenty_newsgroups.rst",
    "sklearn/datasets/descr/wine_data.rst",
    "sqlalchemy/dialects/type_migration_guidelines.txt",
    *(
        f"streamlit/.agents/skills/developing-with-streamlit/references/{name}.md"
        for name in (
            "api-reference",
            "authentication",
            "best-practices",
            "charts",
            "chat-ui",
            "cli",
            "dashboards",
            "data-display",
            "design",
            "layouts",
            "markdown",
            "media-display",
            "multipage-apps",
            "performance",
            "selection-widgets",
            "server-asgi",
            "session-state",
            "testing",
            "text-display",
            "theme",
        )
    ),
)

# Questions about those documents (benchmark load: nothing checks the answers).
QUESTIONS: tuple[str, ...] = (
    "How do I start an SMTP server in a background thread with aiosmtpd?",
    "What does the handle_DATA hook have to return?",
    "How do I enable AUTH LOGIN in aiosmtpd?",
    "Which authentication mechanisms does aiosmtpd support?",
    "What is the PROXY protocol and how is it enabled?",
    "How do I migrate from smtpd to aiosmtpd?",
    "What is the default hostname and port of the Controller?",
    "How can I test my handler without a real mail server?",
    "What changed in the latest aiosmtpd release?",
    "How many instances are in the breast cancer dataset?",
    "What are the features of the California housing dataset?",
    "How many classes does the iris dataset have and how many samples each?",
    "What is the target of the diabetes dataset?",
    "How large are the images in the digits dataset?",
    "How are the 20 newsgroups split into train and test?",
    "How many samples does the forest covertype dataset have?",
    "Who collected the Olivetti faces?",
    "What does the wine dataset measure?",
    "How do I cache a function that loads data in Streamlit?",
    "What is the difference between st.cache_data and st.cache_resource?",
    "How do I keep a value across reruns with session state?",
    "How do I build a multipage app?",
    "How do I show a dataframe with column configuration?",
    "How do I make a chat interface with st.chat_message?",
    "How do I test a Streamlit app with AppTest?",
    "How do I set a custom theme colour?",
    "How do I add login with OpenID Connect?",
    "How do I lay out widgets in columns and tabs?",
    "How do I declare a path parameter with a type in FastAPI?",
    "How do I read a stream from an OLE file with olefile?",
    "What is a masked array in numpy?",
    "How should a new SQLAlchemy type handle migration?",
    "What are the best practices for writing pyparsing grammars?",
    "How do I run a Streamlit app on a different port?",
    "How do I plot a line chart from a dataframe?",
)


def site_packages() -> Path:
    """The site-packages directory of this interpreter."""
    return Path(sysconfig.get_paths()["purelib"])


def real_sources(work: Path) -> Path:
    """Copy the available documents under `work/real-docs` and return its sources file."""
    root = work / "real-docs"
    docs = root / "docs"
    sources = root / "sources.yaml"
    if sources.exists():
        return sources
    docs.mkdir(parents=True, exist_ok=True)
    found = 0
    for rel in FILES:
        src = site_packages() / rel
        if not src.is_file():
            log.info("real document missing, skipped", extra={"path": rel})
            continue
        package = rel.split("/", 1)[0]
        target = docs / package / Path(rel).name
        if target.suffix == ".txt":  # a plain-text reStructuredText file
            target = target.with_suffix(".rst")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target)
        found += 1
    if found < MIN_FILES:
        raise RuntimeError(f"only {found} of the real documents are installed (need {MIN_FILES})")
    sources.write_text("sources:\n  - {name: manuals, kind: doc, path: docs}\n", encoding="utf-8")
    log.info("real documents copied", extra={"files": found, "path": str(docs)})
    return sources
