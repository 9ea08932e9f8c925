export default function globalSetup(): void {
  process.env.DATABASE_URL ??= 'postgresql://postgres@127.0.0.1:5432/herald_test';
}
