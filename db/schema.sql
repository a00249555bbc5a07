CREATE VIEW article_list AS
SELECT a.id, a.published, substr(a.published, 1, 7) AS month, s.title AS source,
    s.source_type, a.title, a.url,
    (SELECT group_concat(theme_id, '; ') FROM (SELECT theme_id FROM article_themes AS t
        WHERE t.article_id = a.id ORDER BY t.score DESC, t.theme_id)) AS themes,
    a.relevance, a.paywalled, a.teaser, a.language, a.word_count
FROM articles AS a JOIN sources AS s ON s.name = a.source
WHERE a.relevant = 1 AND a.duplicate_of IS NULL;
CREATE TRIGGER article_entities_count_delete AFTER DELETE ON article_entities BEGIN
INSERT INTO article_list_counts (facet, value, count) SELECT facet, value, -1 FROM (SELECT 'entity' AS facet, OLD.entity_id AS value WHERE EXISTS (SELECT 1 FROM articles WHERE id = OLD.article_id AND relevant = 1 AND duplicate_of IS NULL)) WHERE true ON CONFLICT (facet, value) DO UPDATE SET count = count - 1;
END;
CREATE TRIGGER article_entities_count_insert AFTER INSERT ON article_entities BEGIN
INSERT INTO article_list_counts (facet, value, count) SELECT facet, value, +1 FROM (SELECT 'entity' AS facet, NEW.entity_id AS value WHERE EXISTS (SELECT 1 FROM articles WHERE id = NEW.article_id AND relevant = 1 AND duplicate_of IS NULL)) WHERE true ON CONFLICT (facet, value) DO UPDATE SET count = count + 1;
END;
CREATE TRIGGER article_entities_drop_tag_digest_delete AFTER DELETE ON article_entities BEGIN DELETE FROM article_tag_digests WHERE article_id IN (OLD.article_id); END;
CREATE TRIGGER article_entities_drop_tag_digest_insert AFTER INSERT ON article_entities BEGIN DELETE FROM article_tag_digests WHERE article_id IN (NEW.article_id); END;
CREATE TRIGGER article_entities_drop_tag_digest_update AFTER UPDATE ON article_entities BEGIN DELETE FROM article_tag_digests WHERE article_id IN (OLD.article_id, NEW.article_id); END;
CREATE TRIGGER article_themes_count_delete AFTER DELETE ON article_themes BEGIN
INSERT INTO article_list_counts (facet, value, count) SELECT facet, value, -1 FROM (SELECT 'theme' AS facet, OLD.theme_id AS value WHERE EXISTS (SELECT 1 FROM articles WHERE id = OLD.article_id AND relevant = 1 AND duplicate_of IS NULL)) WHERE true ON CONFLICT (facet, value) DO UPDATE SET count = count - 1;
END;
CREATE TRIGGER article_themes_count_insert AFTER INSERT ON article_themes BEGIN
INSERT INTO article_list_counts (facet, value, count) SELECT facet, value, +1 FROM (SELECT 'theme' AS facet, NEW.theme_id AS value WHERE EXISTS (SELECT 1 FROM articles WHERE id = NEW.article_id AND relevant = 1 AND duplicate_of IS NULL)) WHERE true ON CONFLICT (facet, value) DO UPDATE SET count = count + 1;
END;
CREATE TRIGGER article_themes_drop_tag_digest_delete AFTER DELETE ON article_themes BEGIN DELETE FROM article_tag_digests WHERE article_id IN (OLD.article_id); END;
CREATE TRIGGER article_themes_drop_tag_digest_insert AFTER INSERT ON article_themes BEGIN DELETE FROM article_tag_digests WHERE article_id IN (NEW.article_id); END;
CREATE TRIGGER article_themes_drop_tag_digest_update AFTER UPDATE OF article_id, theme_id, evidence ON article_themes BEGIN DELETE FROM article_tag_digests WHERE article_id IN (OLD.article_id, NEW.article_id); END;
CREATE TRIGGER articles_count_delete AFTER DELETE ON articles BEGIN
INSERT INTO article_list_counts (facet, value, count) SELECT facet, value, -1 FROM (
SELECT facet, value FROM (
    SELECT 'source' AS facet, OLD.source AS value
    UNION ALL SELECT 'month', substr(OLD.published, 1, 7)
    UNION ALL SELECT 'language', OLD.language
    UNION ALL SELECT 'paywalled', OLD.paywalled
    UNION ALL SELECT 'theme', theme_id FROM article_themes WHERE article_id = OLD.id
    UNION ALL SELECT 'entity', entity_id FROM article_entities WHERE article_id = OLD.id
) WHERE value IS NOT NULL AND OLD.relevant = 1 AND OLD.duplicate_of IS NULL
) WHERE true ON CONFLICT (facet, value) DO UPDATE SET count = count - 1;
END;
CREATE TRIGGER articles_count_insert AFTER INSERT ON articles BEGIN
INSERT INTO article_list_counts (facet, value, count) SELECT facet, value, +1 FROM (
SELECT facet, value FROM (
    SELECT 'source' AS facet, NEW.source AS value
    UNION ALL SELECT 'month', substr(NEW.published, 1, 7)
    UNION ALL SELECT 'language', NEW.language
    UNION ALL SELECT 'paywalled', NEW.paywalled
    UNION ALL SELECT 'theme', theme_id FROM article_themes WHERE article_id = NEW.id
    UNION ALL SELECT 'entity', entity_id FROM article_entities WHERE article_id = NEW.id
) WHERE value IS NOT NULL AND NEW.relevant = 1 AND NEW.duplicate_of IS NULL
) WHERE true ON CONFLICT (facet, value) DO UPDATE SET count = count + 1;
END;
CREATE TRIGGER articles_count_update AFTER UPDATE OF relevant, duplicate_of, source, published, language, paywalled ON articles BEGIN
INSERT INTO article_list_counts (facet, value, count) SELECT facet, value, -1 FROM (
SELECT facet, value FROM (
    SELECT 'source' AS facet, OLD.source AS value
    UNION ALL SELECT 'month', substr(OLD.published, 1, 7)
    UNION ALL SELECT 'language', OLD.language
    UNION ALL SELECT 'paywalled', OLD.paywalled
    UNION ALL SELECT 'theme', theme_id FROM article_themes WHERE article_id = OLD.id
    UNION ALL SELECT 'entity', entity_id FROM article_entities WHERE article_id = OLD.id
) WHERE value IS NOT NULL AND OLD.relevant = 1 AND OLD.duplicate_of IS NULL
) WHERE true ON CONFLICT (facet, value) DO UPDATE SET count = count - 1;
INSERT INTO article_list_counts (facet, value, count) SELECT facet, value, +1 FROM (
SELECT facet, value FROM (
    SELECT 'source' AS facet, NEW.source AS value
    UNION ALL SELECT 'month', substr(NEW.published, 1, 7)
    UNION ALL SELECT 'language', NEW.language
    UNION ALL SELECT 'paywalled', NEW.paywalled
    UNION ALL SELECT 'theme', theme_id FROM article_themes WHERE article_id = NEW.id
    UNION ALL SELECT 'entity', entity_id FROM article_entities WHERE article_id = NEW.id
) WHERE value IS NOT NULL AND NEW.relevant = 1 AND NEW.duplicate_of IS NULL
) WHERE true ON CONFLICT (facet, value) DO UPDATE SET count = count + 1;
END;
CREATE TRIGGER articles_drop_tag_digest_delete AFTER DELETE ON articles BEGIN DELETE FROM article_tag_digests WHERE article_id IN (OLD.id); END;
CREATE TRIGGER articles_drop_tag_digest_update AFTER UPDATE OF title, text ON articles BEGIN DELETE FROM article_tag_digests WHERE article_id IN (OLD.id, NEW.id); END;
CREATE TABLE article_entities (
    article_id INTEGER NOT NULL REFERENCES articles(id),
    entity_id TEXT NOT NULL REFERENCES entities(id),
    mentions INTEGER NOT NULL,
    evidence TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (article_id, entity_id)
);
CREATE TABLE article_list_counts (facet TEXT NOT NULL, value TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (facet, value)) WITHOUT ROWID;
CREATE TABLE article_tag_digests (article_id INTEGER PRIMARY KEY, themes BLOB NOT NULL, entities INTEGER NOT NULL);
CREATE TABLE article_themes (
    article_id INTEGER NOT NULL REFERENCES articles(id),
    theme_id TEXT NOT NULL REFERENCES themes(id),
    score REAL NOT NULL,
    evidence TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (article_id, theme_id)
);
CREATE TABLE article_urls (
    url TEXT PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id)
);
CREATE TABLE articles (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    canonical_url TEXT,
    source TEXT NOT NULL REFERENCES sources(name),
    title TEXT,
    authors TEXT NOT NULL DEFAULT '[]',
    published TEXT,
    published_from TEXT,
    published_precision TEXT,
    updated TEXT,
    fetched TEXT NOT NULL,
    language TEXT,
    description TEXT,
    section TEXT,
    page_tags TEXT NOT NULL DEFAULT '[]',
    text TEXT NOT NULL DEFAULT '',
    summary TEXT,
    word_count INTEGER NOT NULL DEFAULT 0,
    paywalled INTEGER NOT NULL DEFAULT 0,
    paywall_reason TEXT,
    teaser INTEGER NOT NULL DEFAULT 0,
    full_story_url TEXT,
    relevance REAL NOT NULL DEFAULT 0 CHECK (relevance BETWEEN 0 AND 1),
    relevant INTEGER NOT NULL DEFAULT 0,
    content_hash TEXT,
    duplicate_of INTEGER REFERENCES articles(id)
);
CREATE VIRTUAL TABLE articles_fts USING fts5 (
    title, text,
    content='articles', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2'
);
CREATE TABLE crawl_runs (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    started TEXT NOT NULL,
    finished TEXT,
    discovered INTEGER NOT NULL DEFAULT 0,
    fetched INTEGER NOT NULL DEFAULT 0,
    new_articles INTEGER NOT NULL DEFAULT 0,
    errors INTEGER NOT NULL DEFAULT 0,
    outcome TEXT,
    last_error TEXT
);
CREATE TABLE dedupe_common (hash INTEGER PRIMARY KEY);
CREATE TABLE dedupe_samples (hash INTEGER NOT NULL, article_id INTEGER NOT NULL REFERENCES articles(id), sample_count INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (hash, article_id)) WITHOUT ROWID;
CREATE TABLE dedupe_sketches (article_id INTEGER PRIMARY KEY REFERENCES articles(id), shingles INTEGER NOT NULL, samples BLOB NOT NULL);
CREATE TABLE digest_items (
    digest_run_id INTEGER NOT NULL REFERENCES digest_runs(id),
    article_id INTEGER NOT NULL REFERENCES articles(id),
    PRIMARY KEY (digest_run_id, article_id)
);
CREATE TABLE digest_runs (
    id INTEGER PRIMARY KEY,
    name TEXT,
    period_start TEXT,
    period_end TEXT,
    created TEXT NOT NULL,
    rows INTEGER NOT NULL,
    path TEXT
);
CREATE TABLE entities (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('country', 'place', 'organisation', 'person'))
);
CREATE TABLE fetches (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    source TEXT,
    status INTEGER,
    error TEXT,
    bytes INTEGER,
    elapsed_ms INTEGER,
    fetched TEXT NOT NULL
);
CREATE TABLE heartbeat (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    pid INTEGER,
    started TEXT,
    beat TEXT
);
CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    last_run TEXT,
    outcome TEXT,
    next_run TEXT
);
CREATE TABLE polls (
    url TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('feed', 'sitemap', 'listing', 'api')),
    etag TEXT,
    last_modified TEXT,
    body_hash TEXT,
    last_status INTEGER,
    last_polled TEXT
);
CREATE TABLE raw_pages (
    url TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    fetched TEXT NOT NULL,
    content_type TEXT,
    final_url TEXT,
    listed_date TEXT,
    compression TEXT NOT NULL DEFAULT 'zlib',
    body BLOB NOT NULL
);
CREATE TABLE related (
    article_id INTEGER NOT NULL REFERENCES articles(id),
    other_id INTEGER NOT NULL REFERENCES articles(id),
    score REAL NOT NULL,
    PRIMARY KEY (article_id, other_id)
);
CREATE TABLE related_scored (article_id INTEGER PRIMARY KEY);
CREATE TABLE robots_cache (origin TEXT PRIMARY KEY, status INTEGER NOT NULL, body BLOB NOT NULL, etag TEXT, last_modified TEXT, fetched TEXT NOT NULL, expires TEXT NOT NULL);
CREATE TABLE sources (
    name TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    homepage TEXT NOT NULL,
    source_type TEXT NOT NULL,
    language TEXT
);
CREATE TABLE themes (
    id TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    description TEXT
);
CREATE TABLE urls (
    url TEXT PRIMARY KEY,
    source TEXT NOT NULL REFERENCES sources(name),
    first_seen TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'discovered' CHECK (
        state IN ('discovered', 'fetched', 'stored', 'skipped', 'failed', 'refused')
    ),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_try TEXT,
    last_error TEXT,
    guid TEXT,
    listed_date TEXT,
    article_id INTEGER REFERENCES articles(id)
);
CREATE INDEX article_entities_by_mentions ON article_entities (article_id, mentions DESC, entity_id);
CREATE INDEX article_entities_entity ON article_entities (entity_id, article_id);
CREATE INDEX article_themes_by_score ON article_themes (article_id, score DESC, theme_id);
CREATE INDEX article_themes_theme ON article_themes (theme_id, article_id);
CREATE INDEX article_urls_article ON article_urls (article_id);
CREATE INDEX articles_canonical_url ON articles (canonical_url);
CREATE INDEX articles_content_hash ON articles (content_hash);
CREATE INDEX articles_digest_date ON articles (coalesce(published, fetched));
CREATE INDEX articles_duplicate_of ON articles (duplicate_of);
CREATE INDEX articles_fetched ON articles (fetched);
CREATE INDEX articles_full_story_url ON articles (full_story_url);
CREATE INDEX articles_listed ON articles (relevant, duplicate_of, published, source, language, paywalled);
CREATE INDEX articles_published ON articles (published);
CREATE INDEX articles_relevant ON articles (relevant, published);
CREATE INDEX articles_source ON articles (source, published);
CREATE INDEX crawl_runs_source ON crawl_runs (source, started);
CREATE INDEX digest_items_article ON digest_items (article_id);
CREATE INDEX fetches_fetched ON fetches (fetched);
CREATE INDEX fetches_source ON fetches (source, fetched);
CREATE UNIQUE INDEX "idx__sqlite_migrations_migration_set_name"
    ON "_sqlite_migrations" ("migration_set", "name");
CREATE INDEX urls_due ON urls (state, next_try);
CREATE INDEX urls_guid ON urls (guid);
CREATE INDEX urls_source ON urls (source, state);
