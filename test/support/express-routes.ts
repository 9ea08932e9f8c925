import type express from 'express';

/** The parts of express 5's router (the `router` package) that say which routes exist; express's types do not expose them. */
interface RouterLayer {
  route?: { path: string; methods: Record<string, boolean> };
  handle: { stack?: RouterLayer[] };
  /** True when the layer is mounted at `/` (`app.use(router)`). */
  slash?: boolean;
}

/** A registered route: `GET /v1/sends/:id`. */
export interface RegisteredRoute {
  method: string;
  path: string;
}

/**
 * Every route registered on an express 5 app, nested routers included.
 * Routers mounted under a path are refused: their prefix cannot be read
 * back from express, so the walker would report wrong paths.
 */
export function registeredRoutes(app: express.Express): RegisteredRoute[] {
  const root = (app as unknown as { router: { stack: RouterLayer[] } }).router;
  return walk(root.stack);
}

function walk(stack: RouterLayer[]): RegisteredRoute[] {
  return stack.flatMap((layer) => {
    if (layer.route) {
      const path = layer.route.path;
      return Object.keys(layer.route.methods).map((method) => ({ method, path }));
    }
    if (!layer.handle.stack) return [];
    if (!layer.slash) throw new Error('a router is mounted under a path prefix; mount it at / (routes carry their full path) or teach registeredRoutes the prefix');
    return walk(layer.handle.stack);
  });
}
