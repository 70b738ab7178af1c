import { Type } from "typebox";
import { IssuableRole, Role, Uuid } from "./common.ts";

export const CreateMerchantBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);
export const MerchantOut = Type.Object({ id: Uuid, name: Type.String(), createdAt: Type.String({ format: "date-time" }) });

export const CreateKeyBody = Type.Object(
  {
    role: IssuableRole,
    merchantId: Type.Optional(Uuid),
    label: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);
export const IssuedKeyOut = Type.Object({
  keyId: Type.String(),
  role: Role,
  merchantId: Type.Union([Uuid, Type.Null()]),
  token: Type.String({ description: "Shown once: Tracemark keeps only its hash" }),
});
export const PrincipalOut = Type.Object({
  keyId: Type.String(),
  role: Role,
  merchantId: Type.Union([Uuid, Type.Null()]),
});
