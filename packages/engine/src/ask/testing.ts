// Test fixture: a small lending-library dataset whose schema shares nothing with `shop` (other
// key names, an undeclared foreign key, years stored as numbers, two dates on one table), so
// the translator is tested on inference rather than on the curated model.
import Database from 'better-sqlite3';

const GENRES = ['Fantasy', 'Mystery', 'Science Fiction', 'Romance', 'History'];
const CITIES = ['Lisbon', 'Porto', 'Braga', 'Coimbra'];
const TYPES = ['standard', 'student', 'senior'];
const NATIONALITIES = ['Portuguese', 'Brazilian', 'Spanish', 'English'];

/** Writes the library dataset to `path`; the same rows every time. */
export function createLibraryDataset(path: string): void {
  const db = new Database(path);
  db.exec(`
    CREATE TABLE authors (author_id INTEGER PRIMARY KEY, full_name TEXT NOT NULL, nationality TEXT NOT NULL, birth_year INTEGER);
    CREATE TABLE books (
      book_id INTEGER PRIMARY KEY, title TEXT NOT NULL,
      author_id INTEGER NOT NULL REFERENCES authors(author_id),
      genre TEXT NOT NULL, published_year INTEGER NOT NULL, page_count INTEGER NOT NULL, list_price REAL NOT NULL
    );
    CREATE TABLE members (member_id INTEGER PRIMARY KEY, member_name TEXT NOT NULL, city TEXT NOT NULL, membership_type TEXT NOT NULL, joined_on TEXT NOT NULL);
    CREATE TABLE loans (loan_id INTEGER PRIMARY KEY, book_id INTEGER NOT NULL, member_id INTEGER NOT NULL, loaned_at TEXT NOT NULL, returned_at TEXT, late_fee REAL NOT NULL);
  `);
  let seed = 42;
  const rnd = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)] as T;
  const day = (from: number, span: number) =>
    new Date(Date.UTC(from, 0, 1) + Math.floor(rnd() * span) * 86_400_000)
      .toISOString()
      .slice(0, 10);
  db.transaction(() => {
    const author = db.prepare('INSERT INTO authors VALUES (?, ?, ?, ?)');
    for (let i = 1; i <= 12; i++)
      author.run(
        i,
        `Author ${String.fromCharCode(64 + i)}`,
        pick(NATIONALITIES),
        1900 + Math.floor(rnd() * 90),
      );
    const book = db.prepare('INSERT INTO books VALUES (?, ?, ?, ?, ?, ?, ?)');
    for (let i = 1; i <= 60; i++) {
      book.run(
        i,
        `Book ${i}`,
        1 + Math.floor(rnd() * 12),
        pick(GENRES),
        1950 + Math.floor(rnd() * 74),
        90 + Math.floor(rnd() * 600),
        Math.round((5 + rnd() * 40) * 100) / 100,
      );
    }
    const member = db.prepare('INSERT INTO members VALUES (?, ?, ?, ?, ?)');
    for (let i = 1; i <= 40; i++)
      member.run(i, `Member ${i}`, pick(CITIES), pick(TYPES), day(2021, 1000));
    const loan = db.prepare('INSERT INTO loans VALUES (?, ?, ?, ?, ?, ?)');
    for (let i = 1; i <= 400; i++) {
      const loaned = day(2022, 730);
      const returned =
        rnd() < 0.85
          ? new Date(Date.parse(loaned) + Math.floor(rnd() * 40) * 86_400_000)
              .toISOString()
              .slice(0, 10)
          : null;
      loan.run(
        i,
        1 + Math.floor(rnd() * 60),
        1 + Math.floor(rnd() * 40),
        loaned,
        returned,
        rnd() < 0.2 ? Math.round(rnd() * 500) / 100 : 0,
      );
    }
  })();
  db.close();
}
