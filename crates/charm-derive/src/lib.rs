//! `#[derive(Options)]`: a charm's configuration declared once, as the struct it is read
//! into. Each field is one Juju option: its doc comment is the option's description, its
//! `#[option(...)]` attribute gives the rest, and the derive generates the option table
//! (`config.yaml` is made from it) and `from_raw`, which reads and checks every option and
//! names the option in every error. Use it through `charm::Options`; see the `charm::config`
//! module docs for the attributes.

use proc_macro::TokenStream;
use proc_macro2::TokenStream as Tokens;
use quote::quote;
use syn::spanned::Spanned;
use syn::{
    parse_macro_input, Data, DeriveInput, Expr, ExprLit, ExprRange, ExprUnary, Fields, Lit, LitStr,
    Path, Type, UnOp,
};

/// Derives `charm::config::Options` for a struct with named fields.
#[proc_macro_derive(Options, attributes(option, options))]
pub fn derive_options(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    match expand(&input) {
        Ok(tokens) => tokens.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

/// What a field's `#[option(...)]` says.
#[derive(Default)]
struct OptionAttr {
    name: Option<LitStr>,
    default: Option<Expr>,
    ty: Option<LitStr>,
    range: Option<ExprRange>,
    with: Option<Path>,
    check: Option<Path>,
}

fn expand(input: &DeriveInput) -> syn::Result<Tokens> {
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new(input.span(), "Options is for structs"));
    };
    let Fields::Named(fields) = &data.fields else {
        return Err(syn::Error::new(input.span(), "Options needs named fields"));
    };
    let mut validate: Option<Path> = None;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("options")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("validate") {
                validate = Some(meta.value()?.parse()?);
                Ok(())
            } else {
                Err(meta.error("expected `validate = path`"))
            }
        })?;
    }

    let mut specs = Vec::new();
    let mut reads = Vec::new();
    let mut names = Vec::new();
    for field in &fields.named {
        let Some(ident) = &field.ident else {
            continue;
        };
        let attr = option_attr(field)?;
        let name = attr
            .name
            .clone()
            .unwrap_or_else(|| LitStr::new(&ident.to_string().replace('_', "-"), ident.span()));
        let description = doc(field)?;
        let juju = juju_type(&attr, &field.ty)?;
        specs.push(option_spec(&name, &juju, &attr, &description)?);
        let read = read(&name, &attr, &field.ty);
        let check = attr.check.as_ref().map(|check| {
            quote! {
                #check(&#ident).map_err(|e| ::charm::config::ConfigError::new(#name, e))?;
            }
        });
        reads.push(quote! {
            let #ident = #read;
            #check
        });
        names.push(ident.clone());
    }
    let validate = validate.map(|validate| quote! { #validate(&options)?; });
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    Ok(quote! {
        impl #impl_generics ::charm::config::Options for #ident #ty_generics #where_clause {
            const OPTIONS: &'static [::charm::config::OptionSpec] = &[#(#specs),*];

            fn from_raw(
                raw: &::charm::config::RawConfig,
            ) -> ::core::result::Result<Self, ::charm::config::ConfigError> {
                #(#reads)*
                let options = Self { #(#names),* };
                #validate
                ::core::result::Result::Ok(options)
            }
        }
    })
}

fn option_attr(field: &syn::Field) -> syn::Result<OptionAttr> {
    let mut found = OptionAttr::default();
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("option")) {
        attr.parse_nested_meta(|meta| {
            let key = meta
                .path
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
            let value = meta.value()?;
            match key.as_str() {
                "name" => found.name = Some(value.parse()?),
                "default" => found.default = Some(value.parse()?),
                "ty" => found.ty = Some(value.parse()?),
                "range" => found.range = Some(value.parse()?),
                "with" => found.with = Some(value.parse()?),
                "check" => found.check = Some(value.parse()?),
                _ => return Err(meta.error("expected name, default, ty, range, with or check")),
            }
            Ok(())
        })?;
    }
    Ok(found)
}

/// The field's doc comment, one paragraph (lines joined with blanks).
fn doc(field: &syn::Field) -> syn::Result<String> {
    let mut lines = Vec::new();
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("doc")) {
        if let syn::Meta::NameValue(nv) = &attr.meta {
            if let Expr::Lit(ExprLit {
                lit: Lit::Str(text),
                ..
            }) = &nv.value
            {
                lines.push(text.value().trim().to_owned());
            }
        }
    }
    let text = lines
        .into_iter()
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if text.is_empty() {
        return Err(syn::Error::new(
            field.span(),
            "an option needs a doc comment: it is the option's description",
        ));
    }
    Ok(text)
}

/// Juju's type of the option: `ty`, else the default's literal, else the field's type.
fn juju_type(attr: &OptionAttr, ty: &Type) -> syn::Result<String> {
    if let Some(ty) = &attr.ty {
        let word = ty.value();
        return match word.as_str() {
            "string" | "int" | "float" | "boolean" => Ok(word),
            _ => Err(syn::Error::new(
                ty.span(),
                "ty is string, int, float or boolean",
            )),
        };
    }
    if let Some(default) = &attr.default {
        return Ok(match literal(default)? {
            Lit::Str(_) => "string",
            Lit::Int(_) => "int",
            Lit::Float(_) => "float",
            Lit::Bool(_) => "boolean",
            other => return Err(syn::Error::new(other.span(), "an unsupported default")),
        }
        .to_owned());
    }
    let inner = option_inner(ty).unwrap_or(ty);
    Ok(match type_name(inner).as_deref() {
        Some("bool") => "boolean",
        Some(n) if is_integer(n) => "int",
        Some("f64" | "f32") => "float",
        _ => "string",
    }
    .to_owned())
}

/// The literal of a default, a negative number included.
fn literal(expr: &Expr) -> syn::Result<Lit> {
    match expr {
        Expr::Lit(ExprLit { lit, .. }) => Ok(lit.clone()),
        Expr::Unary(ExprUnary {
            op: UnOp::Neg(_),
            expr,
            ..
        }) => match &**expr {
            Expr::Lit(ExprLit {
                lit: Lit::Int(i), ..
            }) => Ok(Lit::Int(syn::LitInt::new(
                &format!("-{}", i.base10_digits()),
                i.span(),
            ))),
            Expr::Lit(ExprLit {
                lit: Lit::Float(f), ..
            }) => Ok(Lit::Float(syn::LitFloat::new(
                &format!("-{}", f.base10_digits()),
                f.span(),
            ))),
            other => Err(syn::Error::new(other.span(), "a default is a literal")),
        },
        other => Err(syn::Error::new(other.span(), "a default is a literal")),
    }
}

fn option_spec(
    name: &LitStr,
    juju: &str,
    attr: &OptionAttr,
    description: &str,
) -> syn::Result<Tokens> {
    let default = match &attr.default {
        Some(expr) => {
            let lit = literal(expr)?;
            let value = match (juju, &lit) {
                ("float", Lit::Int(i)) => {
                    let f = syn::LitFloat::new(&format!("{}.0", i.base10_digits()), i.span());
                    quote!(#f)
                }
                _ => quote!(#lit),
            };
            quote!(::core::option::Option::Some(#value))
        }
        None => quote!(::core::option::Option::None),
    };
    let ty = match juju {
        "string" => quote!(String),
        "int" => quote!(Int),
        "float" => quote!(Float),
        _ => quote!(Boolean),
    };
    Ok(quote! {
        ::charm::config::OptionSpec {
            name: #name,
            ty: ::charm::config::OptionType::#ty { default: #default },
            description: #description,
        }
    })
}

/// The expression reading the option into the field's type.
fn read(name: &LitStr, attr: &OptionAttr, ty: &Type) -> Tokens {
    if let Some(with) = &attr.with {
        return quote!(#with(raw, #name)?);
    }
    let int = |ty: &Type| {
        let range = match &attr.range {
            Some(range) => quote!(#range),
            None => quote! {
                (::core::convert::TryFrom::try_from(<#ty>::MIN).unwrap_or(i64::MIN))
                    ..=(::core::convert::TryFrom::try_from(<#ty>::MAX).unwrap_or(i64::MAX))
            },
        };
        quote! {{
            let n = raw.int_in(#name, #range)?;
            <#ty as ::core::convert::TryFrom<i64>>::try_from(n)
                .map_err(|e| ::charm::config::ConfigError::new(#name, e))?
        }}
    };
    if let Some(inner) = option_inner(ty) {
        return match type_name(inner).as_deref() {
            Some("String") => quote!(raw.optional_string(#name)?),
            Some(n) if is_integer(n) => {
                let read = int(inner);
                quote!(if raw.get(#name).is_none() { None } else { Some(#read) })
            }
            Some("f64") => {
                quote!(if raw.get(#name).is_none() { None } else { Some(raw.float(#name)?) })
            }
            _ => quote!(raw.optional_parsed::<#inner>(#name)?),
        };
    }
    match type_name(ty).as_deref() {
        Some("bool") => quote!(raw.boolean(#name)?),
        Some("String") => quote!(raw.string(#name)?),
        Some("f64") => quote!(raw.float(#name)?),
        Some(n) if is_integer(n) => int(ty),
        _ => quote!(raw.parsed::<#ty>(#name)?),
    }
}

fn is_integer(name: &str) -> bool {
    matches!(
        name,
        "u8" | "u16" | "u32" | "u64" | "usize" | "i8" | "i16" | "i32" | "i64" | "isize"
    )
}

/// The last segment of a plain type path (`String`, `u32`, `Roles`).
fn type_name(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(path) if path.qself.is_none() => {
            path.path.segments.last().map(|s| s.ident.to_string())
        }
        _ => None,
    }
}

/// `T` of `Option<T>`.
fn option_inner(ty: &Type) -> Option<&Type> {
    let Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    match &last.arguments {
        syn::PathArguments::AngleBracketed(args) => match args.args.first()? {
            syn::GenericArgument::Type(inner) => Some(inner),
            _ => None,
        },
        _ => None,
    }
}
