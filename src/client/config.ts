/**
 * The client's configuration, read from the environment of the *calling* service (the
 * seed's Octane): BIOMECH_API_KEY and BIOMECH_API_BASE_URL. This function is the only place
 * the client reads the environment; pass options to `createBiomechClient` to skip it.
 */
export interface BiomechClientEnvConfig {
  apiKey: string;
  baseUrl: string;
}

export function biomechClientConfigFromEnv(
  env: Record<string, string | undefined> = process.env,
  /** Values already given as options win over the environment. */
  given: { apiKey?: string; baseUrl?: string } = {},
): BiomechClientEnvConfig {
  const apiKey = given.apiKey || env.BIOMECH_API_KEY?.trim();
  const baseUrl = given.baseUrl || env.BIOMECH_API_BASE_URL?.trim();
  if (!apiKey) throw new Error("BIOMECH_API_KEY is not set: the Biomech client needs an API key");
  if (!baseUrl)
    throw new Error("BIOMECH_API_BASE_URL is not set: the Biomech client needs the API's URL, e.g. https://biomech.example.com");
  try {
    new URL(baseUrl);
  } catch {
    throw new Error("BIOMECH_API_BASE_URL is not a URL");
  }
  return { apiKey, baseUrl };
}
