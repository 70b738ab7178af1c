// Every route the app registers, with its schema and config, as Fastify saw it: for tests that
// must cover each route without listing them (the fuzz test, the authorization matrix), so a new
// route is covered the day it is added.
import type { FastifyInstance, RouteOptions } from "fastify";
import fp from "fastify-plugin";

export interface RegisteredRoute {
  method: string;
  url: string;
  schema: RouteOptions["schema"];
}

declare module "fastify" {
  interface FastifyInstance {
    readonly routeTable: readonly RegisteredRoute[];
  }
}

async function routeTablePlugin(app: FastifyInstance): Promise<void> {
  const routes: RegisteredRoute[] = [];
  app.decorate("routeTable", routes);
  app.addHook("onRoute", (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url, schema: route.schema });
  });
}

export default fp(routeTablePlugin, { name: "tracemark-route-table" });
