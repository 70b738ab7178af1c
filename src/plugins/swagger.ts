import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import { declareAccess } from "./auth.ts";

async function swaggerPlugin(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Tracemark API",
        version: "1.0.0",
        description: "Tamper-evident provenance and evidence notarization for live-stream e-commerce.",
      },
      components: {
        securitySchemes: {
          apiKey: { type: "http", scheme: "bearer", description: "A Tracemark API key: tmk_<id>_<secret>" },
        },
      },
    },
  });
  // The OpenAPI document and its UI are public; the wrapper keeps the declaration to their routes.
  await app.register(async (ui) => {
    ui.addHook("onRoute", declareAccess("public"));
    await ui.register(swaggerUi, { routePrefix: "/docs" });
  });
}

// After auth: the UI's routes must be seen by its route collector (src/plugins/auth.ts).
export default fp(swaggerPlugin, { name: "tracemark-swagger", dependencies: ["tracemark-auth"] });
