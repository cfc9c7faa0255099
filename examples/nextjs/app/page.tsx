export default function Home() {
  return (
    <main style={{ fontFamily: "system-ui, sans-serif", maxWidth: 640, margin: "3rem auto", lineHeight: 1.5 }}>
      <h1>Backplane on Next.js</h1>
      <p>
        Backplane answers under <code>/api</code> through <code>backplane/next</code>.
      </p>
      <ul>
        <li>
          <a href="/api/health">/api/health</a>
        </li>
        <li>
          <a href="/api/docs">/api/docs</a> (API reference)
        </li>
      </ul>
    </main>
  );
}
